"""The rule table is documented: scripts/versions/breaking.md lists every rule the code applies, at the level it
applies."""

from __future__ import annotations

import re

from kit._cli import ROOT
from scripts.versions.rules import RULES

DOC = ROOT / "scripts" / "versions" / "breaking.md"
ROW = re.compile(r"^\| `([a-z0-9-]+)` \| (breaking|non-breaking|info) \|", re.MULTILINE)
API_RULES = {
    "python-api-removed": "breaking",
    "python-api-changed": "breaking",
    "python-api-added": "non-breaking",
    "python-package-changed": "info",
}


def test_every_rule_is_documented_at_its_level() -> None:
    documented = dict(ROW.findall(DOC.read_text()))
    assert documented == {**{rule: spec.level for rule, spec in RULES.items()}, **API_RULES}


def test_make_check_runs_the_version_rule() -> None:
    makefile = (ROOT / "Makefile").read_text()
    check = re.search(r"^check: (.*)$", makefile, re.MULTILINE)
    assert check is not None and "check-version" in check.group(1).split()
