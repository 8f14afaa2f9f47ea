"""Where an export goes: FIFOs and devices written in place, symlinks followed, temporary files never left behind
(a real FIFO, real symlinks, a real full tmpfs where the machine lets a test mount one)."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from currents_api_client import RecordWriter, TestRecord, iter_tests, write_records
from currents_api_client.lib import files
from currents_api_client.lib.export import ExportFormat

from tests.lib.test_records import fixture

RECORDS = list(iter_tests(fixture("cypress-retries")))


class FifoReader:
    """Reads a FIFO to its end in a thread, as a `tail` or a CI log collector would."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data = b""
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        with open(self.path, "rb") as stream:
            self.data = stream.read()

    def result(self) -> bytes:
        self._thread.join(60)
        assert not self._thread.is_alive(), "the writer never closed the FIFO"
        return self.data


def only_names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_fifo_is_written_in_place_and_stays_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "results.jsonl"
    os.mkfifo(fifo)
    reader = FifoReader(fifo)
    assert write_records(fifo, RECORDS) == len(RECORDS)
    assert len(reader.result().decode().splitlines()) == len(RECORDS)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert only_names(tmp_path) == ["results.jsonl"]  # no temporary file beside it


def test_a_symlink_is_followed_and_its_target_replaced_atomically(tmp_path: Path) -> None:
    real = tmp_path / "store" / "run.jsonl"
    real.parent.mkdir()
    real.write_text("previous\n")
    link = tmp_path / "run.jsonl"
    link.symlink_to(real)

    write_records(link, RECORDS)

    assert link.is_symlink() and os.readlink(link) == str(real)
    assert len(real.read_text().splitlines()) == len(RECORDS)
    assert only_names(tmp_path) == ["run.jsonl", "store"] and only_names(real.parent) == ["run.jsonl"]


def test_a_dangling_symlink_creates_the_file_it_points_to(tmp_path: Path) -> None:
    link = tmp_path / "run.csv"
    link.symlink_to(tmp_path / "made.csv")
    write_records(link, RECORDS)
    assert link.is_symlink() and (tmp_path / "made.csv").read_text().startswith("run_id,")


def test_a_symlink_to_a_fifo_writes_into_the_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "out.xml"
    link.symlink_to(fifo)
    reader = FifoReader(fifo)
    write_records(link, RECORDS)
    assert reader.result().startswith(b"<?xml")
    assert link.is_symlink() and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_link_to_this_process_stdout_writes_to_the_pipe_and_replaces_nothing(tmp_path: Path) -> None:
    # /dev/stdout itself is never the target here: a regression must not be able to replace the system's link.
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    code = (
        "import sys; from pathlib import Path; from currents_api_client import write_records, iter_tests;"
        "from tests.lib.test_records import fixture;"
        "write_records(Path(sys.argv[1]), iter_tests(fixture('cypress-retries')), 'jsonl')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(link)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == len(RECORDS)
    assert link.is_symlink() and only_names(tmp_path) == ["stdout"]


def test_a_planted_file_under_a_temporary_name_is_never_opened(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    for _ in range(3):
        stream, temp = files.exclusive_temp(tmp_path / "shot.png")
        stream.close()
        assert temp.name.startswith(".shot.png.") and temp.name.endswith(".part") and len(temp.name) > 26
        temp.unlink()
        temp.symlink_to(victim)  # planted where the last temporary file was: the next one has another name
    assert victim.read_text() == "keep me"


# --- a full disk ----------------------------------------------------------------------------------------------------


class FullDiskStream(io.BufferedWriter):
    """A real file whose every flush fails with ENOSPC once it holds data, close included: a full disk for a
    machine where a test cannot mount a small tmpfs."""

    def flush(self) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def write(self, data: bytes) -> int:  # type: ignore[override]
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.fixture
def full_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on a 64 KiB tmpfs (as root); else a folder whose temporary files report ENOSPC."""
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        real = files.exclusive_temp

        def failing(target: Path) -> tuple[io.BufferedWriter, Path]:
            stream, temp = real(target)
            descriptor = os.dup(stream.fileno())
            stream.close()
            return FullDiskStream(io.FileIO(descriptor, "wb")), temp

        monkeypatch.setattr(files, "exclusive_temp", failing)
    try:
        yield folder
    finally:
        if mounted.returncode == 0:
            subprocess.run(["umount", str(folder)], check=True)


def big_records(count: int) -> list[TestRecord]:
    (first, *_) = RECORDS
    return [
        TestRecord(**{**first.to_dict(), "title": (f"test {n} " + "x" * 2000,), "artifacts": ()}) for n in range(count)
    ]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "junit"])
def test_a_full_disk_leaves_the_previous_file_and_no_temporary_file(full_folder: Path, fmt: ExportFormat) -> None:
    target = full_folder / "run.out"
    target.write_text("previous\n")
    with pytest.raises(OSError) as raised:
        write_records(target, big_records(60), fmt)  # 120 KB of titles on a 64 KiB disk
    assert raised.value.errno == errno.ENOSPC
    assert only_names(full_folder) == ["run.out"] and target.read_text() == "previous\n"


def test_abort_after_enospc_in_close_still_deletes_the_temporary_file(full_folder: Path) -> None:
    writer = RecordWriter(full_folder / "run.jsonl", "jsonl")
    with contextlib.suppress(OSError):
        writer.add_all(big_records(60))
    writer.abort()
    writer.abort()  # twice is harmless
    assert only_names(full_folder) == []


def test_dash_writes_standard_output_which_stays_open_afterwards() -> None:
    code = (
        "from currents_api_client import write_records, iter_tests;"
        "from tests.lib.test_records import fixture;"
        "write_records('-', iter_tests(fixture('cypress-retries')));"
        "print('still open')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    *records, last = done.stdout.splitlines()
    assert len(records) == len(RECORDS) and last == "still open"
