"""What every script shares: the project root, the one-line error, and the exit status.

A script raises `UserError` for input it cannot use; `run` prints it as one
line on standard error, with no traceback, and exits with status 2.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

EXIT_OK = 0
EXIT_FAILED = 1  # the input was read and found wrong (a violation, a drift, a diff)
EXIT_BAD_INPUT = 2  # the input could not be used at all


class UserError(Exception):
    """Input the script cannot use. Its text is one line that says what and where."""


def display_path(path: Path) -> str:
    """`path` relative to the project root when it is inside it, else as given."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def run(main: Callable[[], int]) -> None:
    """Run a script's `main` and exit with its status; a `UserError` is one line on stderr."""
    try:
        status = main()
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        status = EXIT_BAD_INPUT
    except KeyboardInterrupt:
        status = 130
    sys.exit(status)
