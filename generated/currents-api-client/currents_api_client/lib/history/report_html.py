# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""`currents-api flaky --format html`: one self-contained page, the metrics table and a trend chart per top test.

Nothing on the page loads anything: the style is inline, each chart an inline SVG (one bar per UTC day: its
executions, the flaky part yellow, the failed part red), and a Content-Security-Policy of `default-src 'none'`
says so to the browser. Every string from the store (specs, titles, project ids) goes through `html.escape`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from .metrics import TestMetrics, TrendPoint

TOP_CHARTS = 10  # the tests that get a chart: the first ones of the table, the most flaky
BAR, GAP, HEIGHT = 14, 3, 80

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #1f2328; }
table { border-collapse: collapse; margin-bottom: 2em; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
section.trend { margin: 1em 0 2em; }
svg rect.runs { fill: #afb8c1; } svg rect.flaky { fill: #d4a72c; } svg rect.failed { fill: #cf222e; }
"""

COLUMNS = (
    ("project", None),
    ("spec", None),
    ("test", None),
    ("executions", "n"),
    ("passed", "n"),
    ("failed", "n"),
    ("flaky", "n"),
    ("flake rate", "n"),
    ("failure rate", "n"),
    ("same-commit flips", "n"),
    ("flip rate", "n"),
    ("Currents flakinessRate", "n"),
    ("first seen", None),
    ("last seen", None),
)


def rate(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def _cells(test: TestMetrics) -> list[str]:
    return [
        test.project_id,
        test.spec,
        test.full_title,
        str(test.executions),
        str(test.passed),
        str(test.failed),
        str(test.flaky),
        rate(test.flake_rate),
        rate(test.failure_rate),
        str(test.same_commit_flips),
        rate(test.flip_rate),
        rate(test.currents_flakiness_rate),
        test.first_seen.strftime("%Y-%m-%d %H:%M"),
        test.last_seen.strftime("%Y-%m-%d %H:%M"),
    ]


def chart(points: Sequence[TrendPoint], label: str) -> str:
    """An inline SVG: a bar per day, its height the day's executions, flaky and failed parts coloured."""
    tallest = max((p.executions for p in points), default=1) or 1
    width = max(1, len(points)) * (BAR + GAP)
    bars = []
    for n, point in enumerate(points):
        x = n * (BAR + GAP)

        def bar(count: int, below: int, css: str, x: int = x) -> str:
            height = HEIGHT * count / tallest
            y = HEIGHT - HEIGHT * (below + count) / tallest
            return f'<rect class="{css}" x="{x}" y="{y:.1f}" width="{BAR}" height="{height:.1f}"/>'

        passed = point.executions - point.flaky - point.failed
        title = f"{point.day.isoformat()}: {point.executions} executions, {point.flaky} flaky, {point.failed} failed"
        bars.append(
            f"<g><title>{html.escape(title)}</title>{bar(passed, 0, 'runs')}{bar(point.flaky, passed, 'flaky')}"
            f"{bar(point.failed, passed + point.flaky, 'failed')}</g>"
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{html.escape(label)}" '
        f'width="{width}" height="{HEIGHT}" viewBox="0 0 {width} {HEIGHT}">{"".join(bars)}</svg>'
    )


def render(tests: Sequence[TestMetrics], trend: dict[tuple[str, str, tuple[str, ...]], list[TrendPoint]]) -> str:
    """The page for `tests` (in table order) and the trends of the first `TOP_CHARTS` of them."""
    head = "".join(f"<th>{html.escape(name)}</th>" for name, _ in COLUMNS)
    rows = []
    for test in tests:
        cells = _cells(test)
        row = "".join(
            f'<td class="{css}">{html.escape(cell)}</td>' if css else f"<td>{html.escape(cell)}</td>"
            for (_, css), cell in zip(COLUMNS, cells, strict=True)
        )
        rows.append(f"<tr>{row}</tr>")
    sections = []
    for test in tests[:TOP_CHARTS]:
        points = trend.get((test.project_id, test.spec, test.title), [])
        label = f"{test.spec} > {test.full_title}"
        sections.append(
            f'<section class="trend"><h3>{html.escape(label)}</h3>'
            f"<p>flake rate {html.escape(rate(test.flake_rate))} over {test.executions} executions, "
            f"{len(points)} days</p>{chart(points, 'trend of ' + label)}</section>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>Flaky tests</title><style>{STYLE}</style></head><body>"
        f"<h1>Flaky tests ({len(tests)})</h1>"
        f'<table id="flaky"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
        f"<h2>Trends of the most flaky tests</h2>{''.join(sections)}"
        "</body></html>\n"
    )
