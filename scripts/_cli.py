"""What every script shares: the project root, the one-line error, reading JSON, and the exit status.

A script raises `UserError` for input it cannot use; `run` prints it as one
line on standard error, with no traceback, and exits with status 2.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def read_json(path: Path) -> Any:
    """Parse a JSON file; a missing, unreadable, empty or invalid file is a `UserError` naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{display_path(path)}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{display_path(path)}: is a directory, not a file") from None
    except UnicodeDecodeError:
        raise UserError(f"{display_path(path)}: not UTF-8 text") from None
    if not text.strip():
        raise UserError(f"{display_path(path)}: the file is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{display_path(path)}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None


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
