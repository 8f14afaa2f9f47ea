"""Server text as data: what `visible`, `literal`, `csv_cell` and `json_line` make of hostile strings."""

from __future__ import annotations

import io
import json

import pytest
from currents_api_client.lib.text import csv_cell, json_line, literal, visible, without_surrogates
from rich.console import Console
from rich.table import Table


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("clear\x1b[2J", "clear\\x1b[2J"),
        ("title\x1b]0;owned\x07", "title\\x1b]0;owned\\x07"),
        ("c1 csi\x9b31m", "c1 csi\\x9b31m"),
        ("nul\x00 del\x7f", "nul\\x00 del\\x7f"),
        ("line\nbreak\ttab", "line\\x0abreak\\x09tab"),
        ("rtl\u202eevil", "rtl\\u202eevil"),
        ("lone \ud800", "lone \ufffd"),
        ("plain ünïcødé ✓", "plain ünïcødé ✓"),
    ],
)
def test_visible_shows_control_characters_and_invisible_marks(raw: str, shown: str) -> None:
    assert visible(raw) == shown


@pytest.mark.parametrize(
    "raw",
    [
        "matches [/api] routes",
        "[link=http://evil.example/]Cart[/link]",
        "[bold]x[/]",
        "ends with \\",
        "two \\\\",
        "escaped \\[bold]",
    ],
)
def test_literal_prints_through_rich_exactly_as_written(raw: str) -> None:
    console = Console(file=io.StringIO(), force_terminal=True, width=200, color_system="truecolor", highlight=False)
    console.print(literal(raw))
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(no_wrap=True)
    table.add_row(literal(raw))
    console.print(table, end="")
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert output.splitlines() == [raw, raw]  # no style, no hyperlink, not a character lost


def test_csv_cell_neutralises_formulas_and_drops_control_characters() -> None:
    assert [csv_cell(t) for t in ("=1+1", "+1", "-2", "@SUM(A1)", "\t=x", "\rx", "a=b")] == [
        "'=1+1",
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\t=x",
        "'\rx",
        "a=b",
    ]
    assert csv_cell("\x00=evil\x1b") == "'=evil"  # a leading NUL does not hide a formula
    assert csv_cell("two\nlines") == "two\nlines"


def test_json_line_escapes_controls_and_replaces_surrogates() -> None:
    line = json_line({"t": "\x00\x1b\x85\x9f", "s\ud800": ["\udfff"]})
    assert line == '{"t":"\\u0000\\u001b\\u0085\\u009f","s\ufffd":["\ufffd"]}'
    assert json.loads(line) == {"t": "\x00\x1b\x85\x9f", "s\ufffd": ["\ufffd"]}
    assert without_surrogates("a\ud800b\udc00") == "a\ufffdb\ufffd"
