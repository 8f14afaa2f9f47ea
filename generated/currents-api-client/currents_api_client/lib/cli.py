# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""`currents-api`: read projects, instances, runs and their tests from the Currents API, and export a run.

    currents-api projects [--limit N]
    currents-api instance INSTANCE_ID [--failed-only]
    currents-api runs PROJECT_ID [--branch B ...] [--tag T ...] [--author A ...] [--tag-operator AND|OR]
                      [--search TEXT] [--pr-id ID] [--status S ...] [--completion-state S ...]
                      [--date-start ISO] [--date-end ISO] [--limit N]
    currents-api run RUN_ID [--failed-only] [--export FILE|- [--format jsonl|junit|csv]] [--artifacts DIR]
                      [--concurrency N] [--artifact-timeout SECONDS] [--artifact-max-bytes BYTES]
    currents-api actions list PROJECT_ID [--status S ...] [--search TEXT]
    currents-api actions show|enable|disable|archive ACTION_ID
    currents-api actions create PROJECT_ID FILE
    currents-api webhooks list PROJECT_ID
    currents-api webhooks show|delete HOOK_ID
    currents-api webhooks create PROJECT_ID FILE
    currents-api webhooks listen [--port N] [--secret-header NAME] [--no-secret] [--tolerance SECONDS]
    currents-api sync [PROJECT_ID ...] [--db PATH] [--since DATE] [--concurrency N]
    currents-api flaky [PROJECT_ID] [--db PATH] [--since ISO] [--branch B] [--min-executions N]
                      [--format table|json|csv|html] [--quarantine [--threshold R] [--expires 14d] [--apply]]
    currents-api dataset DIR [--db PATH]
    currents-api --version

The API key comes from `CURRENTS_API_KEY` only (a flag would show in `ps`), the base URL from
`CURRENTS_API_URL` when set (else production, `https://api.currents.dev/v1`). On a terminal the output is a
table, with a progress bar on standard error for multi-request work; piped, standard output is JSON Lines
(one test record, run or project per line) and there is no progress. `--failed-only` keeps failed and flaky
tests. `actions` and `webhooks` write (create, enable, disable, archive, delete) only when told to, one line
per object; a webhook's headers, which carry its secret, are never printed (`cli_webhooks`). `sync` writes only
its DuckDB store (`cli_sync`, the `history` extra) and sends GET requests only. `--export -` writes the export
to standard output and every message to standard error. An export to a file is written to a temporary file
renamed into place once complete, so Ctrl-C, SIGTERM or a full disk never leave a half-written file (see `files`
for FIFOs, devices and symlinks).

Server text is printed literally: rich markup is escaped and control characters are shown as `\\xNN`
(`text.literal`, `text.visible`). A Python warning (say the client's warning before a key goes over plain
http) is one `warning: ...` line on standard error.

Exit status: 0 on success; 1 when the API refused a request, a request failed, an instance could not be
fetched or an artifact could not be downloaded (one line per failure on standard error); 2 for a usage
error (bad arguments, no or a malformed API key, an export path or artifacts folder that cannot be written,
checked before any request); 130 on Ctrl-C, 143 on SIGTERM. Never a traceback. Needs the `cli` extra:
`pip install 'currents-api-client[cli]'`.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
import warnings
from collections.abc import Coroutine, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import Any, TextIO, TypeVar

from .text import visible

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 128 + signal.SIGTERM


class UsageError(Exception):
    """Arguments or settings the CLI cannot use; its text is one line."""


class Terminated(SystemExit):
    """SIGTERM arrived. A `SystemExit`, so asyncio lets it out of any task at once, and every `finally` on the
    way (an export's cleanup) runs as for Ctrl-C."""

    def __init__(self) -> None:
        super().__init__(EXIT_TERMINATED)


def say(line: str) -> None:
    """One line on standard error, with any server text in it made visible (`text.visible`)."""
    print(visible(line), file=sys.stderr, flush=True)


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    text = " ".join(str(message).split()) or category.__name__
    say(f"warning: {text}")


def _terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated


T = TypeVar("T")
_STOPPING = (signal.SIGINT, signal.SIGTERM)


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(coroutine)`, with Ctrl-C and SIGTERM taken by the event loop (`loop.add_signal_handler`).

    Python runs a `signal.signal` handler only when the main thread next runs Python code, and an event loop
    that waits on nothing but a server that does not answer may not do so for as long as the server waits. The
    loop's own handlers wake it at once, through its wakeup file descriptor. The coroutine is cancelled, so every
    `finally` on its way (an export's cleanup) runs, and the signal comes out as `KeyboardInterrupt` or
    `Terminated`, as it does from code without a loop. Off the main thread, plain `asyncio.run`."""
    if threading.current_thread() is not threading.main_thread():
        return asyncio.run(coroutine)

    async def guarded() -> T:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        received: list[int] = []

        def stop(signum: int) -> None:
            received.append(signum)
            task.cancel()

        previous = {signum: signal.getsignal(signum) for signum in _STOPPING}
        for signum in _STOPPING:
            loop.add_signal_handler(signum, stop, signum)
        try:
            return await coroutine
        except asyncio.CancelledError:
            if not received:
                raise
            if received[0] == signal.SIGTERM:
                raise Terminated from None
            raise KeyboardInterrupt from None
        finally:
            for signum in _STOPPING:
                loop.remove_signal_handler(signum)
                signal.signal(signum, previous[signum])

    return asyncio.run(guarded())


@contextmanager
def _cli_handlers() -> Iterator[None]:
    """Warnings as one `warning:` line each, and SIGTERM as `Terminated`, while the CLI runs."""
    on_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminated) if on_main_thread else None
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """The console script. Returns (and, run as a script, exits with) the exit status."""
    with _cli_handlers():
        status = _run(list(sys.argv[1:] if argv is None else argv))
    if argv is None:
        sys.exit(status)
    return status


def _run(argv: list[str]) -> int:
    try:
        from . import cli_commands
    except ImportError as missing:  # rich, junitparser or pyyaml: the `cli` extra is not installed
        print(
            f"error: currents-api needs the cli extra ({missing.name} is missing): "
            "pip install 'currents-api-client[cli]'",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from ..errors import CurrentsError, MissingAPIKeyError

    try:
        return cli_commands.dispatch(argv)
    except Terminated:
        say("terminated")
        return EXIT_TERMINATED
    except SystemExit as done:  # argparse: --help (0) or a usage error it printed (2)
        return done.code if isinstance(done.code, int) else EXIT_USAGE
    except (UsageError, MissingAPIKeyError) as error:
        say(f"error: {_one_line(str(error))}")
        return EXIT_USAGE
    except CurrentsError as error:
        say(f"error: {_one_line(str(error))}")
        return EXIT_FAILED
    except KeyboardInterrupt:
        say("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader of a pipe went away (`| head`): nothing more to say
        _silence_stdout()
        return EXIT_OK
    except OSError as error:
        say(f"error: {_one_line(str(error))}")
        return EXIT_FAILED


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else "failed"


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    main()
