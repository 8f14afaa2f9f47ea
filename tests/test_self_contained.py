"""The tests read nothing outside the repository: a clone with nothing beside it passes on its own."""

from __future__ import annotations

import re

from kit._cli import ROOT

# A path that climbs out of the clone: ROOT.parent, or the shared reference folder beside it.
OUTSIDE = re.compile(r"ROOT\.parent\b|[\"']shared[\"']|\.\./shared")
TEST_TREES = ("tests", "contract_tests", "conftest.py", "bench")


def test_no_test_module_names_a_path_outside_the_repository() -> None:
    modules = sorted(
        p for tree in TEST_TREES for p in ([ROOT / tree] if tree.endswith(".py") else (ROOT / tree).rglob("*.py"))
    )
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in modules
        if path.name != "test_self_contained.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert offenders == []
