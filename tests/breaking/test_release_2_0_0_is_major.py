"""2.0.0 against 1.1.0 in this repository's own history: the reader types (`X | None` instead of `Unset` in
responses, `None` for query parameters) are classified as breaking, so the release had to be a major one."""

from __future__ import annotations

import pytest

from scripts.versions import git_history
from scripts.versions.comparison import compare_with

pytestmark = pytest.mark.slow


def release_commit(version: str) -> str:
    """The commit that set `version` along HEAD's first-parent history (what check-version measures from)."""
    for release in git_history.releases(count=4):  # 2.0.0 is no longer among the newest two
        if release.version == version:
            return release.commit
    raise AssertionError(f"no commit of HEAD's history has version {version}")


def test_the_reader_types_are_breaking_against_1_1_0() -> None:
    comparison = compare_with(release_commit("1.1.0"), "1.1.0")
    assert comparison.bump == "major"
    breaking_changes = {(c.pointer, c.rule) for c in comparison.changes if c.level == "breaking"}
    assert ("python:currents_api_client.models.commit.Commit.branch", "python-api-changed") in breaking_changes
    assert (
        "python:currents_api_client.models.cypress_instance.CypressInstance.completed_at",
        "python-api-changed",
    ) in breaking_changes
    assert any(p.startswith("python:currents_api_client.api.runs.list_project_runs.sync") for p, _ in breaking_changes)
