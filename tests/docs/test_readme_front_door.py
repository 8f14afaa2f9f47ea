"""The README is the front door: what the kit is, the two commands early, and links into the docs site, which
holds the depth. Every page it links exists and is in the site's navigation."""

from __future__ import annotations

import re

import yaml

from kit._cli import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
LINES = README.splitlines()


def test_the_readme_is_short() -> None:
    assert len(LINES) <= 160, len(LINES)


def test_the_two_commands_come_within_the_first_40_lines() -> None:
    head = "\n".join(LINES[:40])
    assert re.search(r"^make contract\s+#", head, flags=re.MULTILINE)
    assert re.search(r"^make test\s+#", head, flags=re.MULTILINE)


def test_every_linked_file_exists_and_every_docs_page_is_in_the_navigation() -> None:
    links = re.findall(r"\]\(((?!https?:)[^)#]+)\)", README)
    assert links, "the README links nowhere"
    missing = [link for link in links if not (ROOT / link).exists()]
    assert missing == []
    navigation = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8").split("\nmarkdown_extensions:")[0])
    listed = set(re.findall(r"'([\w/-]+\.md)'", str(navigation["nav"])))
    pages = [link.removeprefix("docs/") for link in links if link.startswith("docs/")]
    assert [page for page in pages if page not in listed] == []
