# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""The rich tables of `currents-api`: tests, runs and projects.

Every string from the server goes in through `text.literal`, so markup (`[link=...]`, `[/api]`) and terminal
escapes in a title are printed as written. The columns people copy from (run ids, project ids, spec names) are
`no_wrap`, so rich never cuts or folds them; titles and errors wrap at spaces instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from rich.table import Table

from ..models.project_list_item import ProjectListItem
from ..models.run_list_item import RunListItem
from .records import STATES, TestRecord
from .text import literal

STATE_STYLES = {"passed": "green", "failed": "bold red", "flaky": "yellow", "skipped": "dim", "pending": "dim"}


def seconds(ms: int | None) -> str:
    return "" if ms is None else f"{ms / 1000:.2f} s"


def first_line(text: str | None, width: int = 100) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def summary(counted: Counter[str]) -> str:
    return ", ".join(f"{counted[state]} {state}" for state in STATES if counted[state]) or "no tests"


def counts(records: Iterable[TestRecord]) -> str:
    return summary(Counter(r.state for r in records))


def in_order(records: Iterable[TestRecord]) -> list[TestRecord]:
    """`records` sorted by spec, instance, title and test id: one run prints the same table every time."""
    return sorted(records, key=lambda r: (r.spec, r.instance_id, r.full_title, r.test_id or ""))


def records_table(records: list[TestRecord], title: str, *, with_spec: bool = True) -> Table:
    """A table of test records; `title` is markup the caller built with `literal`."""
    table = Table(title=title, title_justify="left")
    table.add_column("state", no_wrap=True)
    table.add_column("test", ratio=2)
    if with_spec:
        table.add_column("spec", no_wrap=True)
    table.add_column("duration", justify="right", no_wrap=True)
    table.add_column("tries", justify="right", no_wrap=True)
    table.add_column("error", ratio=3)
    for record in records:
        cells = [f"[{STATE_STYLES[record.state]}]{record.state}[/]", literal(record.full_title)]
        if with_spec:
            cells.append(literal(record.spec))
        cells += [seconds(record.duration_ms), str(record.attempts), literal(first_line(record.error_message))]
        table.add_row(*cells)
    return table


def _branch(item: RunListItem) -> str:
    meta = item.meta
    commit = None if meta is None else meta.commit
    branch = None if commit is None else commit.branch
    return branch if isinstance(branch, str) else ""


def runs_table(items: list[RunListItem], title: str) -> Table:
    table = Table(title=f"{title} ({len(items)})", title_justify="left")
    table.add_column("run", no_wrap=True)
    table.add_column("created", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("completion", no_wrap=True)
    table.add_column("branch")
    table.add_column("tags")
    for item in items:
        tags = "" if item.tags is None else ", ".join(item.tags)
        created = item.created_at.strftime("%Y-%m-%d %H:%M")
        table.add_row(
            literal(item.run_id),
            created,
            literal(item.status),
            literal(item.completion_state),
            literal(_branch(item)),
            literal(tags),
        )
    return table


def projects_table(items: list[ProjectListItem]) -> Table:
    table = Table(title=f"projects ({len(items)})", title_justify="left")
    table.add_column("project", no_wrap=True)
    table.add_column("name")
    table.add_column("created", no_wrap=True)
    table.add_column("default branch")
    for item in items:
        branch = item.default_branch_name if isinstance(item.default_branch_name, str) else ""
        table.add_row(
            literal(item.project_id), literal(item.name), item.created_at.strftime("%Y-%m-%d"), literal(branch)
        )
    return table
