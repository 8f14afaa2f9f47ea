"""A passing `make contract` reads as passed: report paths name reports/, the stateful phase's notes are said to
be notes, and the mock does not warn about schemathesis's deliberate malformed probe."""

from __future__ import annotations

import io
import logging
import socket
from pathlib import Path
from urllib.parse import urlsplit

from contract_tests.mock_api.app import create_app
from contract_tests.mock_api.server import serve_in_thread
from kit.scrub import Scrubber
from scripts.contract.schemathesis_run import EXTRACTION_HEADING, STATEFUL_NOTE, pump

SCRATCH = Path("/tmp/tmpabcd1234")
SCHEMATHESIS_REPORTS = f"""Reports:
  - JUnit: {SCRATCH}/junit.xml
  - HAR: {SCRATCH}/requests-0.har
  - JSON: {SCRATCH}/schemathesis.json
  - HTML: {SCRATCH}/html/index.html
""".encode()


def pumped(text: bytes, scratch: Path | None = SCRATCH) -> str:
    sink = io.BytesIO()
    pump(io.BytesIO(text), sink, Scrubber("a-key-of-the-run-0123"), scratch)
    return sink.getvalue().decode()


def test_report_paths_name_reports_where_the_files_are_not_the_deleted_private_folder() -> None:
    shown = pumped(SCHEMATHESIS_REPORTS)
    assert str(SCRATCH) not in shown
    assert "  - JUnit: reports/junit.xml\n" in shown
    assert "  - JSON: reports/schemathesis.json\n" in shown
    assert "  - HTML: reports/html/index.html\n" in shown
    assert "  - HAR: not kept (it only counts the requests sent)\n" in shown


def test_the_stateful_phases_extraction_notes_are_introduced_as_notes_not_failures() -> None:
    shown = pumped(b"Stateful tests\n\n" + EXTRACTION_HEADING + b"\n\n    1. Test Case ID: x\n")
    assert (EXTRACTION_HEADING + b"\n" + STATEFUL_NOTE).decode() in shown
    assert pumped(b"No issues found\n") == "No issues found\n"


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_the_mock_answers_a_malformed_request_400_without_uvicorns_warning() -> None:
    handler = Recorder()
    errors = logging.getLogger("uvicorn.error")
    try:
        with serve_in_thread(create_app()) as base_url:
            errors.addHandler(handler)  # once uvicorn has configured its loggers, which drops their handlers
            parts = urlsplit(base_url)
            assert parts.hostname is not None and parts.port is not None
            with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
                sock.sendall(
                    b"GET /v1/projects HTTP/1.1\r\nHost: x\r\nX-Probe: a\x00b\r\n\r\n"
                )  # as schemathesis's probe
                answer = sock.recv(4096)
    finally:
        errors.removeHandler(handler)
    assert answer.startswith(b"HTTP/1.1 400")
    assert handler.messages == []
