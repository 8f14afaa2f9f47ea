"""`currents-api flaky --format html`: one self-contained page, opened in headless Chromium as the docs are: it
loads nothing but itself, shows the table and one trend chart per top test, and prints server text as text."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Request, sync_playwright

from tests.docs.test_site import CHROMIUM_ARGS
from tests.lib.cli_support import cli

pytestmark = pytest.mark.slow

TOP_CHARTS = 10


def test_the_html_page_is_self_contained_with_the_table_and_a_chart_per_top_test(
    store: Path, mock_url: str, tmp_path: Path
) -> None:
    process = cli(mock_url, "flaky", "--db", str(store), "--format", "html")
    assert process.returncode == 0, process.stderr
    page_file = tmp_path / "flaky.html"
    page_file.write_text(process.stdout)
    listed = cli(mock_url, "flaky", "--db", str(store), "--format", "json")
    tests = [json.loads(line) for line in listed.stdout.splitlines()]
    chromium = shutil.which("chromium") or shutil.which("google-chrome")
    assert chromium, "Chromium is not installed: run `make chromium`, which installs Debian's chromium package"
    requests: list[str] = []
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
            page.on("requestfailed", lambda request: problems.append(f"failed: {_url(request)}"))
            page.goto(page_file.as_uri())
            rows = page.locator("table#flaky tbody tr").count()
            charts = page.locator("section.trend svg").count()
            first = page.locator("table#flaky tbody tr").first.locator("td").all_inner_texts()
            bars = page.locator("section.trend svg").first.locator("g").count()
            page.screenshot(path=str(tmp_path / "flaky.png"), full_page=True)
        finally:
            browser.close()
    assert requests == [page_file.as_uri()] and problems == []  # the page and nothing else
    assert rows == len(tests) and charts == min(TOP_CHARTS, len(tests))
    top = tests[0]
    assert first[:3] == [top["project_id"], top["spec"], " > ".join(top["title"])]
    assert bars >= 1


def _url(request: Request) -> str:
    return request.url
