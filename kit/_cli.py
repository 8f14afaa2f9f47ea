"""What every script shares: the project root, the one-line error, reading JSON strictly, and the exit status.

A script raises `UserError` for input it cannot use; `run` prints it as one
line on standard error, with no traceback, and exits with status 2. Under
`run`, SIGTERM unwinds the script (exit 143) so that its cleanup runs.
"""

from __future__ import annotations

import json
import re
import signal
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


MAX_DEPTH = 256  # real payloads nest about 15 deep; deeper input is refused before anything recurses into it
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _NotJSON(f"duplicate key {_shown(key)} in an object")
            seen.add(key)
    return obj


def _refuse_constant(name: str) -> Any:
    raise _NotJSON(f"{name} is not a JSON number")


class _NotJSON(ValueError):
    """Raised from inside json.loads for input that JSON (RFC 8259) does not allow."""


def _shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")


def check_tree(value: Any, where: str) -> None:
    """Refuse a parsed document nested deeper than MAX_DEPTH."""
    stack: list[tuple[Any, int]] = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise UserError(f"{where}: nested deeper than {MAX_DEPTH} levels")
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


def check_text(value: Any, where: str) -> None:
    """Refuse a lone surrogate (`\\ud800`) in a string or key: valid JSON grammar, but not Unicode text."""
    stack: list[Any] = [value]
    while stack:
        node = stack.pop()
        strings = (
            [*node.keys(), *node.values()] if isinstance(node, dict) else node if isinstance(node, list) else [node]
        )
        for item in strings:
            if isinstance(item, str):
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    raise UserError(f"{where}: a string holds a lone surrogate, which is not Unicode text") from None
            elif isinstance(item, dict | list):
                stack.append(item)


def read_json(path: Path) -> Any:
    """Parse a JSON file strictly; whatever makes it unusable is a `UserError` naming it, in one line.

    Refused: a missing, unreadable, special (a device, a FIFO), empty, non-UTF-8 or invalid file; what
    RFC 8259 does not allow but Python's parser accepts (NaN, Infinity, a duplicate key); a lone
    surrogate; a number too long for Python to convert; nesting deeper than MAX_DEPTH."""
    where = display_path(path)
    try:
        if not path.is_file():
            raise UserError(
                f"{where}: no such file"
                if not path.exists()
                else f"{where}: is a directory, not a file"
                if path.is_dir()
                else f"{where}: not a regular file"
            )
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise UserError(f"{where}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UserError(f"{where}: not UTF-8 text") from None
    if not text.strip():
        raise UserError(f"{where}: the file is empty")
    try:
        value = json.loads(text, object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise UserError(f"{where}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    except _NotJSON as exc:
        raise UserError(f"{where}: not JSON: {exc}") from None
    except RecursionError:
        raise UserError(f"{where}: nested deeper than {MAX_DEPTH} levels") from None
    except ValueError:  # the only other ValueError: Python's limit on the digits of an integer
        raise UserError(f"{where}: a number has more than {sys.get_int_max_str_digits()} digits") from None
    check_tree(value, where)
    if _SURROGATE_ESCAPE.search(text):  # only then can a string hold a lone surrogate
        check_text(value, where)
    return value


EXIT_TERMINATED = 128 + signal.SIGTERM


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(EXIT_TERMINATED)


def run(main: Callable[[], int]) -> None:
    """Run a script's `main` and exit with its status; a `UserError` is one line on stderr.

    SIGTERM raises SystemExit(143) in the script, so its `finally` blocks and context managers run (a
    temporary folder is removed, a mock server stopped) instead of the process dying where it stands."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        status = main()
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        status = EXIT_BAD_INPUT
    except KeyboardInterrupt:
        status = 130
    sys.exit(status)
