"""The run filters of `GET /projects/{projectId}/runs`, read from the query as Currents' clients send them.

Scope: `RunFilter.from_query` reads the bracketed arrays `branches[]`, `tags[]` and `authors[]` (and the
deprecated plain `branch`, `tag` and `author`, which add to them), `tag_operator` (`AND` or `OR`, default
`OR`), `search` (at most 200 characters), `pr_id` (1 to 128 visible ASCII characters), the repeated plain
`status` and `completion_state`, and
`date_start`/`date_end`. `matches(run_body, created_at)` applies them all (every given filter must hold):
- branches, authors: the run's `meta.commit.branch` / `meta.commit.authorName` is one of the values;
- tags: the run has any (`OR`) or all (`AND`) of the tags;
- search: a case-insensitive substring of the run id, CI build id, branch, commit message or author;
- pr_id: the pull request number at the end of `meta.commit.ghaEventData.htmlUrl`;
- status, completion_state: the run's value is one of the values (unknown values simply match nothing);
- date range: `createdAt` within it, both ends inclusive (a bare `date_end` day counts whole).

Errors: `BadRequest` for a `tag_operator` other than AND/OR, a search over 200 characters, a malformed date,
or a `pr_id` outside its pattern. A range that ends before it starts matches nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from contract_tests.mock_api.rest import BadRequest, Query
from contract_tests.mock_api.world import as_dict

SEARCH_MAX_LENGTH = 200
PR_ID_MAX_LENGTH = 128


PR_ID = re.compile(rf"[!-~]{{1,{PR_ID_MAX_LENGTH}}}")


def pr_id(query: Query) -> str | None:
    value = query.text("pr_id")
    if value is not None and not PR_ID.fullmatch(value):
        raise BadRequest(f"Invalid pr_id parameter. 1 to {PR_ID_MAX_LENGTH} visible ASCII characters")
    return value


@dataclass(frozen=True)
class RunFilter:
    branches: frozenset[str]
    tags: frozenset[str]
    tag_operator: str
    authors: frozenset[str]
    search: str | None
    pr_id: str | None
    statuses: frozenset[str]
    completion_states: frozenset[str]
    date_start: dt.datetime | None
    date_end: dt.datetime | None

    @classmethod
    def from_query(cls, query: Query) -> RunFilter:
        operator = query.text("tag_operator")
        operator = "OR" if operator is None else operator
        if operator not in ("AND", "OR"):
            raise BadRequest("Invalid tag_operator parameter. Must be AND or OR")
        start, end = query.date_range(required=False)
        return cls(
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

    def matches(self, body: dict[str, Any], created_at: dt.datetime) -> bool:
        meta = as_dict(body.get("meta"))
        commit = as_dict(meta.get("commit"))
        tags = set(body.get("tags") or [])
        if self.branches and commit.get("branch") not in self.branches:
            return False
        if self.authors and commit.get("authorName") not in self.authors:
            return False
        if self.tags and not (self.tags <= tags if self.tag_operator == "AND" else self.tags & tags):
            return False
        if self.statuses and body.get("status") not in self.statuses:
            return False
        if self.completion_states and body.get("completionState") not in self.completion_states:
            return False
        if self.date_start is not None and created_at < self.date_start:
            return False
        if self.date_end is not None and created_at > self.date_end:
            return False
        if self.pr_id is not None:
            event = as_dict(commit.get("ghaEventData"))
            url = event.get("htmlUrl")
            if not isinstance(url, str) or url.rstrip("/").rsplit("/", 1)[-1] != self.pr_id:
                return False
        if self.search:
            needle = self.search.casefold()
            haystack = (
                body.get("runId"),
                meta.get("ciBuildId"),
                commit.get("branch"),
                commit.get("message"),
                commit.get("authorName"),
            )
            if not any(isinstance(text, str) and needle in text.casefold() for text in haystack):
                return False
        return True
