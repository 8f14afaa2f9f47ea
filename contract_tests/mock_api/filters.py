"""The filters of the mock's listings and views, as plain values the backend applies (no HTTP here).

Scope:
- `RunFilter`, the filters of a project's run listing (`resources.params.run_filter` reads them from the
  query as Currents' clients send them). `matches(run_body, created_at)` applies them all (every given
  filter must hold):
  - branches, authors: the run's `meta.commit.branch` / `meta.commit.authorName` is one of the values;
  - tags: the run has any (`OR`) or all (`AND`) of the tags;
  - search: a case-insensitive substring of the run id, CI build id, branch, commit message or author;
  - pr_id: the pull request number at the end of `meta.commit.ghaEventData.htmlUrl`;
  - status, completion_state: the run's value is one of the values (unknown values simply match nothing);
  - date range: `createdAt` within it, both ends inclusive (a bare `date_end` day counts whole).
  A range that ends before it starts matches nothing.
- `ExecutionFilter`, the date range and filters the explorers and insights share: an execution (or a run,
  `matches_run`) in the range, with any of the tags, one of the authors, branches and groups.
- `ResultFilter`, the filters of a signature's test results: the same, plus statuses and flakiness.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from contract_tests.mock_api.entities import Run, as_dict
from contract_tests.mock_api.executions import Execution


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


@dataclass(frozen=True)
class ExecutionFilter:
    date_start: dt.datetime
    date_end: dt.datetime
    tags: frozenset[str]
    authors: frozenset[str]
    branches: frozenset[str]
    groups: frozenset[str]

    def matches(self, e: Execution) -> bool:
        if e.created_at < self.date_start or e.created_at > self.date_end:
            return False
        if self.tags and not self.tags & set(e.run.body.get("tags") or []):
            return False
        if self.authors and e.commit.get("authorName") not in self.authors:
            return False
        if self.branches and e.commit.get("branch") not in self.branches:
            return False
        return not self.groups or e.instance.data.get("groupId") in self.groups

    def matches_run(self, run: Run) -> bool:
        commit = (run.body.get("meta") or {}).get("commit") or {}
        run_groups = {str(g.get("groupId")) for g in run.body.get("groups") or [] if isinstance(g, dict)}
        return (
            self.date_start <= run.created_at <= self.date_end
            and (not self.tags or bool(self.tags & set(run.body.get("tags") or [])))
            and (not self.authors or commit.get("authorName") in self.authors)
            and (not self.branches or commit.get("branch") in self.branches)
            and (not self.groups or bool(self.groups & run_groups))
        )


@dataclass(frozen=True)
class ResultFilter:
    date_start: dt.datetime
    date_end: dt.datetime
    branches: frozenset[str]
    tags: frozenset[str]
    authors: frozenset[str]
    groups: frozenset[str]
    statuses: frozenset[str]
    flaky: bool | None

    def matches(self, e: Execution) -> bool:
        tags = set(e.run.body.get("tags") or [])
        return (
            self.date_start <= e.created_at <= self.date_end
            and (not self.branches or e.commit.get("branch") in self.branches)
            and (not self.authors or e.commit.get("authorName") in self.authors)
            and (not self.tags or bool(self.tags & tags))
            and (not self.groups or e.instance.data.get("groupId") in self.groups)
            and (not self.statuses or e.status in self.statuses)
            and (self.flaky is None or e.flaky == self.flaky)
        )
