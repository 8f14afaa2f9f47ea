"""The documentation site, built as `make docs` builds it, and opened page by page in headless Chromium.

Chromium comes from Debian's `chromium` package (`make docs-check` and `make test` install it when it is missing);
Playwright for Python drives it through `executable_path`, so no browser is downloaded. The site is served by a
real HTTP server on a loopback port. Screenshots of the Get started page and the API reference are kept under
`reports/docs/` for a reviewer.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from currents_api_client import errors
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response, sync_playwright

from contract_tests.mock_api.app import create_app
from contract_tests.mock_api.browsers import allow_loopback_pages
from contract_tests.mock_api.keys import KEYS_FILE, load_keys
from contract_tests.mock_api.server import serve_in_thread
from kit._cli import ROOT

pytestmark = pytest.mark.slow

SCREENSHOTS = ROOT / "reports" / "docs"
# The flags Chromium needs as root on a machine with no outside network (no sandbox, no background traffic).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test's output clean: the browser's requests are checked, not logged."""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built strictly (a warning fails) into a temporary folder, exactly as `make docs` builds it."""
    out = tmp_path_factory.mktemp("site")
    process = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert process.returncode == 0, process.stdout + process.stderr
    assert "WARNING" not in process.stdout + process.stderr, process.stdout + process.stderr
    return out


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = shutil.which("chromium") or shutil.which("google-chrome")  # as the Makefile's `chromium` target
    assert chromium, "Chromium is not installed: run `make docs-check`, which installs Debian's chromium package"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


class PageProblems:
    """Console errors, failed requests and error statuses seen while a page was open."""

    def __init__(self, page: Page) -> None:
        self.found: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.found.append(f"uncaught: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.found.append(f"console: {message.text}")

    def _failed(self, request: Request) -> None:
        self.found.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.found.append(f"HTTP {response.status}: {response.url}")


def _pages(site: Path) -> list[str]:
    """Every page of the site, as a path relative to its root (the 404 page and Swagger UI's frames excluded)."""
    return sorted(
        path.parent.relative_to(site).as_posix() + "/" if path.parent != site else ""
        for path in site.rglob("index.html")
    )


def _open(browser: Browser, url: str) -> tuple[Page, PageProblems]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = PageProblems(page)
    page.goto(url, wait_until="networkidle")
    return page, problems


def _operation_ids(section: str = "paths") -> list[str]:
    """The ids of the API's operations (`paths`), or of the deliveries Currents sends (`webhooks`)."""
    document = json.loads((ROOT / "generated" / "openapi.json").read_text())
    return [
        operation["operationId"]
        for item in document.get(section, {}).values()
        for method, operation in item.items()
        if isinstance(operation, dict) and "operationId" in operation and method != "parameters"
    ]


def test_every_page_loads_without_console_errors_or_failed_requests(
    site: Path, base_url: str, browser: Browser
) -> None:
    pages = _pages(site)
    assert {"", "api/", "client/endpoints/", "client/errors/", "contract-checks/"} <= set(pages)
    for relative in pages:
        page, problems = _open(browser, base_url + relative)
        try:
            assert page.locator("article h1").count() >= 1, f"{relative or '/'}: no heading rendered"
            assert problems.found == [], f"{relative or '/'}: {problems.found}"
        finally:
            page.close()


def test_api_reference_shows_every_operation_id_and_renders_swagger_ui(base_url: str, browser: Browser) -> None:
    page, problems = _open(browser, base_url + "api/")
    try:
        operation_ids = _operation_ids()
        table = page.locator("article table").first.inner_text()
        for operation_id in operation_ids:
            assert operation_id in table
        frame = page.frame_locator("iframe").first
        frame.locator(".opblock").first.wait_for(timeout=30_000)
        # Swagger UI draws each operation, and each delivery under its Webhooks heading.
        assert frame.locator(".opblock").count() == len(operation_ids) + len(_operation_ids("webhooks"))
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.wait_for_timeout(500)  # let the frame resize itself to its content before the picture
        page.screenshot(path=str(SCREENSHOTS / "api-reference.png"), full_page=True)
        assert problems.found == []
    finally:
        page.close()


def test_client_reference_shows_get_instance_and_every_error_class(base_url: str, browser: Browser) -> None:
    endpoints, _ = _open(browser, base_url + "client/endpoints/")
    errors_page, _ = _open(browser, base_url + "client/errors/")
    try:
        assert "get_instance" in endpoints.locator("article").inner_text()
        shown = errors_page.locator("article").inner_text()
        classes = [
            name
            for name, value in vars(errors).items()
            if isinstance(value, type) and issubclass(value, errors.CurrentsError)
        ]
        assert len(classes) > 5
        for name in classes:
            assert name in shown, f"{name} is not on the errors page"
    finally:
        endpoints.close()
        errors_page.close()


def _paginated_modules() -> list[str]:
    document = json.loads((ROOT / "generated" / "openapi.json").read_text())
    return [
        operation["operationId"]
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "x-currents-pagination" in operation
    ]


def test_client_reference_shows_the_pagination_iterators_of_every_paginated_operation(
    base_url: str, browser: Browser
) -> None:
    page, problems = _open(browser, base_url + "client/pagination/")
    try:
        table = page.locator("article table").first.inner_text()
        paginated = _paginated_modules()
        assert len(paginated) >= 5
        for operation_id in paginated:
            assert operation_id in table
        assert table.count(".iterate") == len(paginated)
        assert table.count("aiterate") == len(paginated)
        text = page.locator("article").inner_text()
        assert "PaginationError" in text
        # The walk's prose is prose: no sentence of it is listed as a parameter or an exception.
        parameters = page.locator("article .doc-section-item, article li").all_inner_texts()
        assert parameters and not any(item.startswith(("The filters of", "The errors of")) for item in parameters)
        assert "The other arguments are the filters of sync" in " ".join(text.split())
        assert problems.found == []
    finally:
        page.close()


def test_a_search_for_flaky_finds_the_results_view(base_url: str, browser: Browser) -> None:
    page, problems = _open(browser, base_url)
    try:
        # Typed key by key, as a person does: the theme searches on key events, not on a value set at once.
        page.locator("input.md-search__input").click()
        page.keyboard.type("flaky")
        results = page.locator(".md-search-result__item > a")
        results.first.wait_for(timeout=30_000)
        links = [link.get_attribute("href") or "" for link in results.all()]
        assert any("client/results/" in link for link in links), links
        assert problems.found == []
    finally:
        page.close()


def test_try_it_from_the_docs_site_reaches_make_mocks_app_and_only_through_its_cors_wrapper(
    base_url: str, browser: Browser
) -> None:
    """Swagger UI's "Try it out" is a cross-origin fetch from the site to `make mock`: the same fetch, from a page
    of the site, gets the mock's answer through `allow_loopback_pages`, and is refused by the browser without it."""
    demo = load_keys(KEYS_FILE).first_with_every_project()
    assert demo is not None
    key = demo.value
    script = """async ([url, key]) => {
        try {
            const response = await fetch(url + "/projects", {headers: {Authorization: "Bearer " + key}});
            return response.status;
        } catch (error) {
            return String(error);
        }
    }"""
    page = browser.new_page()
    try:
        page.goto(base_url + "api/", wait_until="networkidle")
        with serve_in_thread(allow_loopback_pages(create_app())) as mock_url:
            assert page.evaluate(script, [mock_url, key]) == 200
        with serve_in_thread(create_app()) as mock_url:
            refused = page.evaluate(script, [mock_url, key])
            assert refused != 200 and "Failed to fetch" in str(refused)
    finally:
        page.close()


def test_get_started_page_screenshot_is_kept(base_url: str, browser: Browser) -> None:
    page, problems = _open(browser, base_url)
    try:
        assert "AuthenticatedClient.from_env()" in page.locator("article").inner_text()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        target = SCREENSHOTS / "get-started.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000
        assert problems.found == []
    finally:
        page.close()
