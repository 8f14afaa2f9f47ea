# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""Write test records as JSON Lines, CSV or JUnit XML, never leaving a half-written file behind.

- `format_for(path, given)`: the format named by `--format`, else by the file's suffix
  (`.jsonl`/`.ndjson`, `.csv`, `.xml`; `-`, standard output, is JSON Lines); `ExportFormatError` when
  neither says.
- `RecordWriter`: takes records one by one as they arrive (`add`) and writes them where `files.Destination`
  says: a regular file (or a symlink's target) through a temporary file renamed over it on `commit` (atomic
  on POSIX), and `-`, a FIFO or a device in place. `abort` (or leaving the `with` block by an exception,
  Ctrl-C included) deletes the temporary file, so the target is either the old file or the complete new one.
  JSON Lines and CSV are streamed as records arrive; JUnit keeps the (small) records of one run to build its
  suites at the end.
- Server text is data in every format: a lone surrogate becomes U+FFFD; JSON Lines escapes every C0 and C1
  control character; a CSV cell loses its control characters (but tab and line breaks) and gets a `'`
  before a first `=`, `+`, `-`, `@`, tab or carriage return, so no spreadsheet runs it as a formula;
  JUnit drops the characters XML 1.0 cannot carry.
- JUnit XML is built with junitparser (the `[cli]` extra), one `<testsuite>` per spec file, suites and
  cases sorted so two exports of one run are identical, and the root `<testsuites>` carries the totals
  (tests, failures, errors, skipped, time). Failed tests get `<failure>` (message: the error's first line;
  text: the stack, with the message before it unless the stack restates it) and say their attempts in
  `<system-out>`; a crashed spec gets an `<error>`, skipped and pending tests `<skipped>`; a flaky test
  passes and says so in its `<system-out>`. Given the artifacts folder, `<system-out>` links each test's
  downloaded files as `[[ATTACHMENT|path]]` (read by Jenkins and GitLab).
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Literal, TypeAlias
from xml.dom.minidom import parseString

from .files import STDOUT, Destination
from .records import TestRecord
from .text import csv_cell, json_line, without_surrogates

if TYPE_CHECKING:  # junitparser comes with the `[cli]` extra; it is imported where it is used
    from junitparser import JUnitXml

ExportFormat: TypeAlias = Literal["jsonl", "csv", "junit"]
FORMATS: tuple[ExportFormat, ...] = ("jsonl", "csv", "junit")
_SUFFIXES: dict[str, ExportFormat] = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".xml": "junit"}
CSV_COLUMNS = (
    "run_id",
    "instance_id",
    "spec",
    "runner",
    "test_id",
    "title",
    "state",
    "runner_state",
    "duration_ms",
    "attempts",
    "flaky",
    "error_message",
    "tags",
    "artifact_urls",
)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class ExportFormatError(ValueError):
    """The export format cannot be told from the arguments."""


def format_for(path: Path | str, given: str | None = None) -> ExportFormat:
    """The export format: `given` if set, else the one the suffix of `path` names."""
    if given is None and str(path) == STDOUT:
        return "jsonl"
    if given is not None:
        if given not in FORMATS:
            raise ExportFormatError(f"unknown export format {given!r}; choose one of {', '.join(FORMATS)}")
        return FORMATS[FORMATS.index(given)]
    found = _SUFFIXES.get(Path(path).suffix.lower())
    if found is None:
        suffixes = ", ".join(_SUFFIXES)
        raise ExportFormatError(f"{path}: cannot tell the format from the suffix ({suffixes}); pass --format")
    return found


def record_json(record: TestRecord) -> str:
    """One record as one line of JSON (no newline): lone surrogates replaced, control characters escaped."""
    return json_line(record.to_dict())


def csv_row(record: TestRecord) -> list[str]:
    """One record as CSV cells, each neutralised against formulas and control characters (`text.csv_cell`)."""
    return [csv_cell(cell) for cell in _csv_values(record)]


def _csv_values(record: TestRecord) -> list[str]:
    return [
        record.run_id,
        record.instance_id,
        record.spec,
        record.runner,
        record.test_id or "",
        record.full_title,
        record.state,
        record.runner_state,
        "" if record.duration_ms is None else str(record.duration_ms),
        str(record.attempts),
        "true" if record.flaky else "false",
        record.error_message or "",
        ",".join(record.tags),
        " ".join(a.url for a in record.artifacts),
    ]


def xml_text(text: str) -> str:
    """`text` with lone surrogates replaced (as in every format), without the other characters XML 1.0 cannot
    carry (NUL, ESC and the other C0 controls but tab, newline and carriage return)."""
    return _NOT_XML.sub("", without_surrogates(text))


class RecordWriter:
    """Write records to `path` in `fmt`: through a temporary file renamed into place on `commit`, or in place for
    `-` (standard output), a FIFO or a device (see `files.Destination`).

    `artifacts`: the folder the records' artifacts are downloaded to, for JUnit's `[[ATTACHMENT|path]]` lines."""

    def __init__(self, path: Path | str, fmt: ExportFormat, *, artifacts: Path | None = None) -> None:
        self.path = Path(path)
        self.format = fmt
        self.count = 0
        self.artifacts = artifacts
        self._kept: list[TestRecord] = []
        self._destination: Destination | None = Destination(path)
        self._text = io.TextIOWrapper(self._destination.stream, encoding="utf-8", newline="", write_through=True)
        self._csv = csv.writer(self._text) if fmt == "csv" else None
        try:
            if self._csv is not None:
                self._csv.writerow(CSV_COLUMNS)
        except BaseException:
            self.abort()
            raise

    def add(self, record: TestRecord) -> None:
        assert self._destination is not None, "the writer is closed"
        self.count += 1
        if self.format == "jsonl":
            self._text.write(record_json(record) + "\n")
        elif self._csv is not None:
            self._csv.writerow(csv_row(record))
        else:
            self._kept.append(record)

    def add_all(self, records: Iterable[TestRecord]) -> None:
        for record in records:
            self.add(record)

    def commit(self) -> None:
        """Finish the file and put it in place (a no-op once committed or aborted)."""
        destination = self._destination
        if destination is None:
            return
        try:
            if self.format == "junit":
                self._text.write(junit_text(self._kept, self.artifacts))
            self._text.flush()
        except BaseException:
            self.abort()
            raise
        self._release()
        self._destination = None
        destination.commit()  # cleans up after itself when it fails

    def abort(self) -> None:
        """Drop the temporary file; the target is left as it was. Never raises."""
        if self._destination is not None:
            self._release()
            self._destination.abort()
            self._destination = None

    def _release(self) -> None:
        # Let go of the text layer without closing the stream under it (standard output stays open).
        with contextlib.suppress(OSError, ValueError):
            self._text.detach()

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()


def write_records(path: Path | str, records: Iterable[TestRecord], fmt: ExportFormat | None = None) -> int:
    """Write every record to `path` atomically; returns how many were written."""
    with RecordWriter(path, fmt or format_for(path)) as writer:
        writer.add_all(records)
        return writer.count


def junit_text(records: Iterable[TestRecord], artifacts: Path | None = None) -> str:
    """The JUnit XML document of `records` as text (requires the `[cli]` extra)."""
    document = junit_document(records, artifacts)
    xml: bytes = document.tostring()  # type: ignore[no-untyped-call]
    return parseString(xml).toprettyxml(indent="  ", encoding="utf-8").decode("utf-8")


def _attachments(records: Sequence[TestRecord], folder: Path | None) -> dict[tuple[str, str], Path]:
    if folder is None:
        return {}
    from .artifacts import plan  # the files `adownload_artifacts` writes for the same records

    return {(job.instance_id, job.url): job.path for job in plan(records, folder)}


def _failure_text(message: str, stack: str) -> str:
    """The failure body: the stack alone when it restates the message (as JavaScript stacks do), else both."""
    if stack and message and message.strip() in stack:
        return stack
    return "\n".join(t for t in (message, stack) if t)


def _attempts(count: int) -> str:
    return f"{count} attempt{'s' if count != 1 else ''}"


def junit_document(records: Iterable[TestRecord], artifacts: Path | None = None) -> JUnitXml:
    """A `junitparser.JUnitXml` with one suite per spec file (requires the `[cli]` extra).

    Suites are sorted by spec and instance id, test cases by title and test id, so two exports of one run are
    identical. The root carries the totals. With `artifacts` (the download folder), each test's `<system-out>`
    links its files as `[[ATTACHMENT|path]]`, which Jenkins and GitLab show with the test."""
    from junitparser import Error, Failure, JUnitXml, Skipped, TestCase, TestSuite

    ordered = sorted(records, key=lambda r: (r.spec, r.instance_id, r.full_title, r.test_id or ""))
    files = _attachments(ordered, artifacts)
    suites: dict[tuple[str, str], TestSuite] = {}
    for record in ordered:
        key = (record.spec, record.instance_id)
        suite = suites.get(key)
        if suite is None:
            suite = suites[key] = TestSuite(xml_text(record.spec))
        case = TestCase(
            xml_text(record.full_title),
            classname=xml_text(record.spec),
            time=(record.duration_ms or 0) / 1000,
        )
        message = xml_text(record.error_message or "")
        first = message.strip().splitlines()[0] if message.strip() else ""
        detail = _failure_text(message, xml_text(record.error_stack or ""))
        out: list[str] = []
        if record.spec_error:
            error = Error(first or "spec error", "SpecError")
            error.text = detail
            case.result = [error]
        elif record.state == "failed":
            failure = Failure(first or record.runner_state, xml_text(record.runner_state))
            failure.text = detail
            case.result = [failure]
            out.append(f"failed after {_attempts(record.attempts)}")
        elif record.state in ("skipped", "pending"):
            case.result = [Skipped(record.state)]
        elif record.flaky:
            out.append(f"flaky: passed after {_attempts(record.attempts)}")
            if detail:
                out.append(detail)
        out.extend(
            f"[[ATTACHMENT|{xml_text(str(files[(record.instance_id, a.url)]))}]]"
            for a in record.artifacts
            if (record.instance_id, a.url) in files
        )
        if out:
            case.system_out = "\n".join(dict.fromkeys(out))  # a spec video once, though listed per attempt
        suite.add_testcase(case)
    document = JUnitXml("currents")
    for suite in suites.values():
        suite.update_statistics()  # type: ignore[no-untyped-call]
        document.add_testsuite(suite)
    document.update_statistics()  # type: ignore[no-untyped-call]
    document.time = round(sum(suite.time or 0 for suite in suites.values()), 3)
    return document
