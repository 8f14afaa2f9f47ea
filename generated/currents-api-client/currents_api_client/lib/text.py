# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""Server text is data: the few rules that keep it data on a terminal and in export files.

- `visible(text)`: for a terminal or a log line. Control characters (C0 but the space, DEL, C1, so ESC and
  every CSI/OSC sequence too) and the invisible bidirectional and zero-width marks are shown as `\\xNN` or
  `\\uNNNN` instead of acting on the terminal; a lone surrogate becomes U+FFFD.
- `literal(text)`: `visible(text)` with rich's markup escaped: the one way server text goes into a rich
  table, title or message, so `[link=...]` or `[/api]` are printed as written.
- `without_surrogates(text)`: a lone surrogate (which UTF-8 cannot encode) becomes U+FFFD. Every export
  format and piped output does the same, so one title reads the same everywhere.
- `csv_cell(text)`: a CSV cell without C0 controls (but tab, newline and carriage return), DEL or C1
  controls, and with a `'` before a first character that would start a spreadsheet formula
  (`=`, `+`, `-`, `@`, tab, carriage return: OWASP's rule for CSV injection).
- `json_line(value)`: compact JSON on one line, UTF-8 kept, lone surrogates replaced, and C1 controls escaped
  as `\\u0080`..`\\u009f` as JSON already escapes C0 ones (NUL, ESC), so no raw control byte reaches the file.
"""

from __future__ import annotations

import json
import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
_SHOWN = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_CSV_DROPPED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_C1 = re.compile("[\x80-\x9f]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def without_surrogates(text: str) -> str:
    """`text` with every lone surrogate replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` safe to print on a terminal: controls and invisible marks shown as escapes, surrogates replaced."""
    return _SHOWN.sub(_shown, without_surrogates(text))


def literal(text: str) -> str:
    """`visible(text)` with rich markup escaped: server text for a rich table or message, printed as written."""
    from rich.markup import escape  # rich is the `[cli]` extra's; only its users call this

    shown = visible(text)
    escaped = escape(shown)
    # rich doubles a lone trailing backslash, in case a tag follows; no tag follows a literal here, and the doubled
    # one would print as two
    return escaped[:-1] if escaped.endswith("\\\\") and not shown.endswith("\\\\") else escaped


def csv_cell(text: str) -> str:
    """`text` as a CSV cell that no spreadsheet runs as a formula, without control characters."""
    cleaned = _CSV_DROPPED.sub("", without_surrogates(text))
    return "'" + cleaned if cleaned.startswith(FORMULA_STARTS) else cleaned


def _json_strings(value: Any) -> Any:
    if isinstance(value, str):
        return without_surrogates(value)
    if isinstance(value, dict):
        return {without_surrogates(str(k)): _json_strings(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_strings(v) for v in value]
    return value


def json_line(value: Any) -> str:
    """`value` as one line of JSON: UTF-8 kept, lone surrogates replaced, C0 and C1 controls escaped."""
    line = json.dumps(_json_strings(value), ensure_ascii=False, separators=(",", ":"))
    return _C1.sub(lambda match: f"\\u{ord(match.group()):04x}", line)
