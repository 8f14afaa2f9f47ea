# Hand-written, not generated: edit generator/lib/cli.py; `make generate` copies it into the package unchanged.
"""`currents-api`: read instances, runs and their tests from the Currents API, and export a run.

    currents-api instance INSTANCE_ID [--failed-only]
    currents-api runs PROJECT_ID [--branch B ...] [--tag T ...] [--author A ...] [--tag-operator AND|OR]
                      [--search TEXT] [--pr-id ID] [--status S ...] [--completion-state S ...]
                      [--date-start ISO] [--date-end ISO] [--limit N]
    currents-api run RUN_ID [--failed-only] [--export FILE [--format jsonl|junit|csv]] [--artifacts DIR]
                      [--concurrency N]

The API key comes from `CURRENTS_API_KEY` only (a flag would show in `ps`), the base URL from
`CURRENTS_API_URL` when set. On a terminal the output is a table, with a progress bar on standard
error for multi-request work; piped, standard output is JSON Lines (one test record, or one run, per
line) and there is no progress. `--failed-only` keeps failed and flaky tests. An export is written to
a temporary file renamed into place once complete, so Ctrl-C never leaves a half-written file.

Exit status: 0 on success; 1 when the API refused a request, a request failed, an instance could not be
fetched or an artifact could not be downloaded (one line per failure on standard error); 2 for a usage
error (bad arguments, no API key, an export path or format that cannot be used); 130 on Ctrl-C. Never a
traceback. Needs the `cli` extra: `pip install 'currents-api-client[cli]'`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """Arguments or settings the CLI cannot use; its text is one line."""


def main(argv: Sequence[str] | None = None) -> int:
    """The console script. Returns (and, run as a script, exits with) the exit status."""
    status = _run(list(sys.argv[1:] if argv is None else argv))
    if argv is None:
        sys.exit(status)
    return status


def _run(argv: list[str]) -> int:
    try:
        from . import cli_commands
    except ImportError as missing:  # rich or junitparser: the `cli` extra is not installed
        print(
            f"error: currents-api needs the cli extra ({missing.name} is missing): "
            "pip install 'currents-api-client[cli]'",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from ..errors import CurrentsError, MissingAPIKeyError

    try:
        return cli_commands.dispatch(argv)
    except SystemExit as done:  # argparse: --help (0) or a usage error it printed (2)
        return done.code if isinstance(done.code, int) else EXIT_USAGE
    except (UsageError, MissingAPIKeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except CurrentsError as error:
        print(f"error: {_one_line(str(error))}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader of a pipe went away (`| head`): nothing more to say
        _silence_stdout()
        return EXIT_OK
    except OSError as error:
        print(f"error: {_one_line(str(error))}", file=sys.stderr)
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
