"""The handlers' readings of a request into the backend's plain arguments: pages, filters, required values.

Scope: each reader takes a `rest.Query` and gives the typed value the backend takes, refusing a request of
the wrong shape with `BadRequest` (400) naming the parameter: `cursor_params` and `offset_params` (pages),
`run_filter` (a project's runs), `execution_filter` (the explorers' and insights' required date range and
filters), `result_filter` (a signature's test results), `choice` (one of a few values) and
`required_project_id` (the `projectId` of the Actions and Webhooks listings). Whether what they name exists,
or may be reached, is the backend's to say, after them or before them as each operation orders it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from contract_tests.mock_api.filters import ExecutionFilter, ResultFilter, RunFilter
from contract_tests.mock_api.pagination import CursorParams, OffsetParams
from contract_tests.mock_api.rest import BadRequest, Query

DEFAULT_LIMIT = 10
CURSOR_MAX_LENGTH = 200
SEARCH_MAX_LENGTH = 200
PR_ID_MAX_LENGTH = 128
PR_ID = re.compile(rf"[!-~]{{1,{PR_ID_MAX_LENGTH}}}")


def cursor_params(query: Query, max_limit: int = 50) -> CursorParams:
    """`limit` (1 to `max_limit`), `starting_after` and `ending_before` (at most one of them), checked."""
    starting_after = query.text("starting_after", CURSOR_MAX_LENGTH) or None  # an empty cursor is no cursor
    ending_before = query.text("ending_before", CURSOR_MAX_LENGTH) or None
    if starting_after is not None and ending_before is not None:
        raise BadRequest("Listing parameters are mutually exclusive: use only one of starting_after or ending_before")
    limit = query.integer("limit", DEFAULT_LIMIT, 1, max_limit)
    return CursorParams(limit, starting_after, ending_before)


def offset_params(query: Query, default_limit: int = 50, max_limit: int = 50) -> OffsetParams:
    limit = query.integer("limit", default_limit, 1, max_limit)
    return OffsetParams(limit, query.integer("page", 0, 0))


def pr_id(query: Query) -> str | None:
    value = query.text("pr_id")
    if value is not None and not PR_ID.fullmatch(value):
        raise BadRequest(f"Invalid pr_id parameter. 1 to {PR_ID_MAX_LENGTH} visible ASCII characters")
    return value


def run_filter(query: Query) -> RunFilter:
    """The bracketed arrays `branches[]`, `tags[]` and `authors[]` (and the deprecated plain `branch`, `tag`
    and `author`, which add to them), `tag_operator` (`AND` or `OR`, default `OR`), `search` (at most 200
    characters), `pr_id` (1 to 128 visible ASCII characters), the repeated plain `status` and
    `completion_state`, and `date_start`/`date_end`."""
    operator = query.text("tag_operator")
    operator = "OR" if operator is None else operator
    if operator not in ("AND", "OR"):
        raise BadRequest("Invalid tag_operator parameter. Must be AND or OR")
    start, end = query.date_range(required=False)
    return RunFilter(
        branches=frozenset(query.array("branches[]", "branch")),
        tags=frozenset(query.array("tags[]", "tag")),
        tag_operator=operator,
        authors=frozenset(query.array("authors[]", "author")),
        search=query.text("search", SEARCH_MAX_LENGTH),
        pr_id=pr_id(query),
        statuses=frozenset(query.array("status")),
        completion_states=frozenset(query.array("completion_state")),
        date_start=start,
        date_end=end,
    )


def required_dates(query: Query) -> tuple[dt.datetime, dt.datetime]:
    start, end = query.date_range(required=True)
    assert start is not None and end is not None  # required=True refuses a missing date
    return start, end


def execution_filter(query: Query) -> ExecutionFilter:
    start, end = required_dates(query)
    return ExecutionFilter(
        date_start=start,
        date_end=end,
        tags=frozenset(query.array("tags[]")),
        authors=frozenset(query.array("authors[]")),
        branches=frozenset(query.array("branches[]")),
        groups=frozenset(query.array("groups[]")),
    )


def result_filter(query: Query) -> ResultFilter:
    start, end = required_dates(query)
    # The spec's bracketed names, and the docs' older ones (`branch[]`, `tag[]`, `git_author[]`, `group[]`).
    return ResultFilter(
        date_start=start,
        date_end=end,
        branches=frozenset(query.array("branches[]", "branch[]")),
        tags=frozenset(query.array("tags[]", "tag[]")),
        authors=frozenset(query.array("authors[]", "git_author[]")),
        groups=frozenset(query.array("groups[]", "group[]")),
        statuses=frozenset(query.array("status[]")),
        flaky=query.boolean("flaky"),
    )


def choice(query: Query, name: str, allowed: Iterable[str], default: str) -> str:
    value = query.text(name)
    allowed = tuple(allowed)
    if value is None:
        return default
    if value not in allowed:
        raise BadRequest(f"{name}: must be one of {', '.join(allowed)}")
    return value


def required_project_id(query: Query) -> str:
    project_id = query.text("projectId")
    if not project_id:
        raise BadRequest("projectId: is required")
    return project_id
