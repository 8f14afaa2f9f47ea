# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""Where an export or a download is written, without ever replacing what should be written through.

`open_destination(path)` gives a `Destination` with a binary `stream`, then `commit()` or `abort()`:
- `-` is standard output (written in place; nothing else is printed there);
- a target that exists and is not a regular file (a FIFO, a character device, `/dev/stdout`, once its
  symlinks are followed) is opened and written in place: it is never replaced;
- a symlink is followed, and the file it points to is replaced atomically (the link stays a link);
- a regular file, or a new one, is written to a temporary file beside it and renamed over it on `commit`.

`exclusive_temp(target)` makes that temporary file: a name with 64 random bits
(`.<name>.<hex>.part`), created with `O_CREAT | O_EXCL | O_NOFOLLOW`, so a file or symlink planted under any
name is never opened or followed, and two downloads never share one. `commit` and `abort` delete it on every
failure path, a full disk included (where `close` itself raises ENOSPC again).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import sys
from pathlib import Path
from typing import BinaryIO

STDOUT = "-"
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def exclusive_temp(target: Path) -> tuple[BinaryIO, Path]:
    """A new temporary file beside `target`, opened exclusively under an unpredictable name."""
    for _ in range(8):
        temp = target.with_name(f".{target.name}.{secrets.token_hex(8)}.part")
        try:
            descriptor = os.open(temp, _FLAGS, 0o666)  # the umask applies, as it would to the target
        except FileExistsError:
            continue
        return os.fdopen(descriptor, "wb"), temp
    raise FileExistsError(f"{target.parent}: could not create a temporary file for {target.name}")


def close_quietly(stream: BinaryIO) -> None:
    """Close `stream`; a second failure to flush (ENOSPC again) must not stop the cleanup that follows."""
    with contextlib.suppress(OSError, ValueError):
        stream.close()  # a buffered file closes its descriptor even when the last flush fails


def resolve_target(path: Path) -> tuple[Path, bool]:
    """(the file to write, whether it is written in place): only a regular file or a new one is replaced, and
    through a symlink it is the file the link points to. Written in place, the path stays as given: the kernel
    follows `/dev/stdout` and `/proc/self/fd/N` to a pipe that has no path."""
    try:
        found = os.stat(path)  # follows symlinks
    except FileNotFoundError:
        found = None
    if found is not None and not stat.S_ISREG(found.st_mode) and not stat.S_ISDIR(found.st_mode):
        return path, True
    return (Path(os.path.realpath(path)) if path.is_symlink() else path), False


def _stdout() -> tuple[BinaryIO, bool]:
    """Standard output as a binary stream of its own (a duplicate of descriptor 1), so that closing it, or a
    writer forgotten without `commit` or `abort`, never closes the process's standard output; and whether it is
    ours to close (not when `sys.stdout` has no descriptor and its own buffer is used)."""
    sys.stdout.flush()
    try:
        return os.fdopen(os.dup(sys.stdout.fileno()), "wb"), True
    except (AttributeError, OSError, ValueError):  # a replaced sys.stdout without a descriptor
        return sys.stdout.buffer, False


class Destination:
    """An open export target: write bytes to `stream`, then `commit()` once complete or `abort()`."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._temp: Path | None = None
        self._own = True
        self.stream: BinaryIO
        if str(path) == STDOUT:
            self.target = self.path
            self.stream, self._own = _stdout()
            return
        self.target, in_place = resolve_target(self.path)
        if in_place:
            self.stream = open(self.target, "wb")  # noqa: SIM115 (closed by commit or abort)
        else:
            self.stream, self._temp = exclusive_temp(self.target)

    def commit(self) -> None:
        """Finish writing; a temporary file is synced and renamed over the target. Cleans up if that fails."""
        try:
            self.stream.flush()
            if self._temp is not None:
                os.fsync(self.stream.fileno())
            if self._own:
                self.stream.close()
            if self._temp is not None:
                os.replace(self._temp, self.target)
                self._temp = None
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        """Drop what was written to a temporary file; the target is left as it was. Never raises."""
        if self._own:
            close_quietly(self.stream)
        else:
            with contextlib.suppress(OSError, ValueError):
                self.stream.flush()
        if self._temp is not None:
            with contextlib.suppress(FileNotFoundError):
                self._temp.unlink()
            self._temp = None


def check_export_target(path: Path | str) -> str | None:
    """Why `path` cannot take an export (one phrase), or None: checked before anything is fetched."""
    if str(path) == STDOUT:
        return None
    path = Path(path)
    if path.is_dir():
        return "is a directory"
    target, in_place = resolve_target(path)
    if in_place:
        return None if os.access(target, os.W_OK) else "cannot be written (permission denied)"
    if not target.parent.is_dir():
        return f"the folder {target.parent} does not exist"
    return probe_folder(target.parent, target.name)


def probe_folder(folder: Path, name: str = "probe") -> str | None:
    """Why no file can be created in `folder` (one phrase), or None: creates and deletes a temporary file."""
    try:
        stream, temp = exclusive_temp(folder / name)
    except OSError as error:
        return f"cannot write in {folder} ({error.strerror or type(error).__name__})"
    close_quietly(stream)
    with contextlib.suppress(OSError):
        temp.unlink()
    return None
