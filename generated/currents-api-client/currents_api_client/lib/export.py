# Hand-written, not generated: edit generator/lib/export.py; `make generate` copies it into the package unchanged.
"""Write test records as JSON Lines, CSV or JUnit XML, never leaving a half-written file behind.

- `format_for(path, given)`: the format named by `--format`, else by the file's suffix
  (`.jsonl`/`.ndjson`, `.csv`, `.xml`); `ExportFormatError` when neither says.
- `RecordWriter`: opens a temporary file beside the target, takes records one by one as they
  arrive (`add`), and on `commit` renames the temporary file over the target (atomic on POSIX).
  `abort` (or leaving the `with` block by an exception, Ctrl-C included) deletes it, so the target
  is either the old file or the complete new one. JSON Lines and CSV are streamed to disk as
  records arrive; JUnit keeps the (small) records of one run to build its suites at the end.
- JUnit XML is built with junitparser (the `[cli]` extra), one `<testsuite>` per spec file:
  failed tests get `<failure>` (message: the error's first line; text: message and stack),
  a crashed spec an `<error>`, skipped and pending tests `<skipped>`; a flaky test passes and says
  so in its `<system-out>`. Characters XML 1.0 cannot carry are dropped.
"""

from __future__ import annotations

import csv
import json
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Literal, TypeAlias

from .records import TestRecord

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


def format_for(path: Path, given: str | None = None) -> ExportFormat:
    """The export format: `given` if set, else the one the suffix of `path` names."""
    if given is not None:
        if given not in FORMATS:
            raise ExportFormatError(f"unknown export format {given!r}; choose one of {', '.join(FORMATS)}")
        return FORMATS[FORMATS.index(given)]
    found = _SUFFIXES.get(path.suffix.lower())
    if found is None:
        suffixes = ", ".join(_SUFFIXES)
        raise ExportFormatError(f"{path}: cannot tell the format from the suffix ({suffixes}); pass --format")
    return found


def record_json(record: TestRecord) -> str:
    """One record as one line of JSON (no newline)."""
    return json.dumps(record.to_dict(), ensure_ascii=False, separators=(",", ":"))


def csv_row(record: TestRecord) -> list[str]:
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
    """`text` without the characters XML 1.0 cannot carry."""
    return _NOT_XML.sub("", text)


class RecordWriter:
    """Write records to `path` in `fmt` through a temporary file renamed into place on `commit`."""

    def __init__(self, path: Path, fmt: ExportFormat) -> None:
        self.path = path
        self.format = fmt
        self.count = 0
        self._kept: list[TestRecord] = []
        # A new name beside the target (same filesystem, so the rename is atomic), created exclusively and with
        # the permissions the umask gives, as the target would get them.
        self._temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")
        self._file: IO[str] | None = self._temp.open("x", encoding="utf-8", newline="")
        self._csv = csv.writer(self._file) if fmt == "csv" else None
        if self._csv is not None:
            self._csv.writerow(CSV_COLUMNS)

    def add(self, record: TestRecord) -> None:
        assert self._file is not None, "the writer is closed"
        self.count += 1
        if self.format == "jsonl":
            self._file.write(record_json(record) + "\n")
        elif self._csv is not None:
            self._csv.writerow(csv_row(record))
        else:
            self._kept.append(record)

    def add_all(self, records: Iterable[TestRecord]) -> None:
        for record in records:
            self.add(record)

    def commit(self) -> None:
        """Finish the file and rename it over the target."""
        assert self._file is not None, "the writer is closed"
        if self.format == "junit":
            self._file.close()
            junit_document(self._kept).write(str(self._temp), pretty=True)
        else:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
        self._file = None
        os.replace(self._temp, self.path)

    def abort(self) -> None:
        """Drop the temporary file; the target is left as it was."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._temp.unlink(missing_ok=True)

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._file is not None or self._temp.exists():
            if kind is None and self._file is not None:
                self.commit()
            else:
                self.abort()


def write_records(path: Path, records: Iterable[TestRecord], fmt: ExportFormat | None = None) -> int:
    """Write every record to `path` atomically; returns how many were written."""
    with RecordWriter(path, fmt or format_for(path)) as writer:
        writer.add_all(records)
        return writer.count


def junit_document(records: Iterable[TestRecord]) -> JUnitXml:
    """A `junitparser.JUnitXml` with one suite per spec file (requires the `[cli]` extra)."""
    from junitparser import Error, Failure, JUnitXml, Skipped, TestCase, TestSuite

    suites: dict[tuple[str, str], TestSuite] = {}
    for record in records:
        key = (record.instance_id, record.spec)
        suite = suites.get(key)
        if suite is None:
            suite = suites[key] = TestSuite(xml_text(record.spec))
        case = TestCase(
            xml_text(record.full_title),
            classname=xml_text(record.spec),
            time=(record.duration_ms or 0) / 1000,
        )
        message = xml_text(record.error_message or "")
        detail = xml_text("\n".join(t for t in (record.error_message, record.error_stack) if t))
        if record.spec_error:
            error = Error(message.splitlines()[0] if message else "spec error", "SpecError")
            error.text = detail
            case.result = [error]
        elif record.state == "failed":
            failure = Failure(message.splitlines()[0] if message else record.runner_state, record.runner_state)
            failure.text = detail
            case.result = [failure]
        elif record.state in ("skipped", "pending"):
            case.result = [Skipped(record.state)]
        elif record.flaky:
            case.system_out = xml_text(f"flaky: passed after {record.attempts} attempts\n{detail}".rstrip())
        suite.add_testcase(case)
    document = JUnitXml("currents")
    for suite in suites.values():
        document.add_testsuite(suite)  # also counts its tests, failures, errors and skips
    return document
