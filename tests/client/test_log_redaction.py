"""Pre-signed URLs in logs: with logging at INFO (and at DEBUG, for httpcore's response headers), the records of
httpx, httpcore and httpx-retries show every URL without its query string, `?REDACTED` in its place, for the
client's own requests and for those of any plain httpx client in the process (as the CLI's artifact downloads
make). Real requests to a loopback server; a handler on the root logger captures what would be printed."""

from __future__ import annotations

import asyncio
import io
import logging
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import httpx
import pytest
from currents_api_client import AuthenticatedClient
from currents_api_client.api.runs import list_project_runs
from currents_api_client.client import REDACTED_QUERY, redact_url_queries

from tests.client.conftest import API_KEY, ScriptedServer
from tests.client.scripted_api import Reply

SIGNED_QUERIES = {
    "amazon": "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20260401&X-Amz-Expires=7200"
    "&X-Amz-Signature=0a1b2c3d4e5f60718293a4b5c6d7e8f9",
    "google": "X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=bot%40example.iam&X-Goog-Signature=5e6f7a8b9c0d",
    "azure": "sv=2024-05-04&se=2026-04-01T12%3A00%3A00Z&sp=r&sig=Zm9vYmFyYmF6cXV4c2VjcmV0",
    "cloudfront": "Expires=1775040000&Signature=Q2xvdWRGcm9udFNpZw__&Key-Pair-Id=K2JCJMDEHXQW5F",
    "token": "token=ghs_tokenvalue0123456789",
}
SECRET_VALUES = [
    "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
    "AKIAEXAMPLE",
    "5e6f7a8b9c0d",
    "Zm9vYmFyYmF6cXV4c2VjcmV0",
    "Q2xvdWRGcm9udFNpZw__",
    "K2JCJMDEHXQW5F",
    "ghs_tokenvalue0123456789",
]


@pytest.fixture
def printed() -> Iterator[io.StringIO]:
    """What `logging.basicConfig(level=DEBUG)` would print, captured: a handler on the root logger, and the
    HTTP stack's loggers opened to DEBUG for the test."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    loggers = [logging.getLogger(name) for name in ("httpx", "httpcore.http11", "httpcore.connection")]
    levels = [logger.level for logger in loggers]
    root.addHandler(handler)
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def assert_no_signature(text: str) -> None:
    for secret in SECRET_VALUES:
        assert secret not in text, secret


@pytest.mark.parametrize("provider", sorted(SIGNED_QUERIES))
def test_a_plain_httpx_client_logs_a_signed_url_without_its_query(
    server: ScriptedServer, printed: io.StringIO, provider: str
) -> None:
    server.api.script(Reply(200, b"PNG"))
    url = f"{server.base_url}/artifacts/shot.png?{SIGNED_QUERIES[provider]}"
    with httpx.Client() as http:
        assert http.get(url).content == b"PNG"
    assert server.api.received[0].query == SIGNED_QUERIES[provider]  # the request itself kept its query
    text = printed.getvalue()
    assert f'HTTP Request: GET {server.base_url}/artifacts/shot.png{REDACTED_QUERY} "HTTP/1.1 200 OK"' in text
    assert_no_signature(text)


def test_a_redirect_to_a_signed_url_shows_in_no_record_of_an_async_client(
    server: ScriptedServer, printed: io.StringIO
) -> None:
    target = f"{server.base_url}/bucket/video.mp4?{SIGNED_QUERIES['amazon']}"
    server.api.script(Reply(302, b"", {"Location": target}), Reply(200, b"MP4"))

    async def download() -> bytes:
        async with httpx.AsyncClient(follow_redirects=True) as http:
            return (await http.get(f"{server.base_url}/artifacts/video?{SIGNED_QUERIES['token']}")).content

    assert asyncio.run(download()) == b"MP4"
    text = printed.getvalue()
    assert "Location" in text or "location" in text  # httpcore logged the response headers at DEBUG
    assert f"{server.base_url}/bucket/video.mp4{REDACTED_QUERY}" in text
    assert_no_signature(text)


def test_the_clients_own_requests_log_their_queries_redacted_and_hide_the_key(
    server: ScriptedServer, printed: io.StringIO
) -> None:
    server.api.script(Reply(200, {"status": "OK", "has_more": False, "data": []}))
    with AuthenticatedClient(token=API_KEY, base_url=server.base_url, max_retries=0) as client:
        list_project_runs.sync("Qx7Lm2", client=client, starting_after="cursor-SECRETISH")
    text = printed.getvalue()
    assert f"GET {server.base_url}/projects/Qx7Lm2/runs{REDACTED_QUERY}" in text
    assert "cursor-SECRETISH" not in text and API_KEY not in text


def test_a_fresh_process_with_basic_config_at_info_prints_no_signed_url_once_it_imports_the_package(
    server: ScriptedServer,
) -> None:
    # As the issue ran it: basicConfig(level=INFO), then the package's lib (the CLI's artifact downloads use a
    # plain httpx.AsyncClient there); no call installs the filter but the import.
    server.api.script(Reply(200, b"PNG"))
    url = f"{server.base_url}/artifacts/shot.png?{SIGNED_QUERIES['amazon']}"
    program = textwrap.dedent(
        f"""
        import asyncio, logging, sys
        logging.basicConfig(level=logging.INFO, stream=sys.stdout)
        import httpx
        import currents_api_client.lib

        async def main():
            async with httpx.AsyncClient() as http:
                print((await http.get({url!r})).status_code)

        asyncio.run(main())
        """
    )
    process = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert process.returncode == 0, process.stderr
    assert f"GET {server.base_url}/artifacts/shot.png{REDACTED_QUERY}" in process.stdout
    assert process.stdout.strip().endswith("200")
    assert_no_signature(process.stdout + process.stderr)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "GET https://s3.example.com/a/b.png?X-Amz-Signature=abc end",
            "GET https://s3.example.com/a/b.png?REDACTED end",
        ),
        ("<Request('GET', 'https://h.example/p?sig=1&x=2')>", "<Request('GET', 'https://h.example/p?REDACTED')>"),
        ("(b'Location', b'https://h.example/p?Signature=1')", "(b'Location', b'https://h.example/p?REDACTED')"),
        ('"http://127.0.0.1:9/x?token=t#frag"', '"http://127.0.0.1:9/x?REDACTED#frag"'),
        ("(b':path', b'/v1/runs?starting_after=c1')", "(b':path', b'/v1/runs?REDACTED')"),
        ("https://h.example/no-query and a question?", "https://h.example/no-query and a question?"),
    ],
)
def test_redact_url_queries_keeps_scheme_host_and_path(text: str, expected: str) -> None:
    assert redact_url_queries(text) == expected
