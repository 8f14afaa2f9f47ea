"""Export writers: JSON Lines, CSV and JUnit XML read back with their own parsers, and never half-written."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from currents_api_client import ExportFormatError, RecordWriter, TestRecord, format_for, iter_tests, write_records
from junitparser import Error, Failure, JUnitXml, Skipped

from tests.lib.test_records import fixture


def records_of(*names: str) -> list[TestRecord]:
    return [r for name in names for r in iter_tests(fixture(name))]


RUN = ("cypress-retries", "playwright-v2-thrown-value", "jest-failed-and-todo", "cypress-spec-crashed")


def test_junit_export_reads_back_with_junitparser_with_counts_failures_and_messages(tmp_path: Path) -> None:
    target = tmp_path / "run.xml"
    assert write_records(target, records_of(*RUN)) == 3 + 3 + 5 + 1

    document = JUnitXml.fromfile(str(target))
    suites = {suite.name: suite for suite in document}
    assert set(suites) == {
        "cypress/e2e/inventory/sync.cy.js",
        "api/orders.spec.ts",
        "src/pricing/__tests__/discounts.test.ts",
        "cypress/e2e/billing/invoices.cy.ts",
    }
    assert (document.tests, document.failures, document.errors, document.skipped) == (12, 3, 1, 3)
    sync = suites["cypress/e2e/inventory/sync.cy.js"]
    cases = {case.name: case for case in sync}
    (failure,) = cases["Inventory sync > updates stock levels after import"].result
    assert isinstance(failure, Failure)
    assert failure.message == "expected 12 to equal 10"
    assert failure.text is not None and "AssertionError: expected 12 to equal 10" in failure.text
    flaky = cases["Inventory sync > imports the supplier CSV"]
    assert flaky.is_passed and flaky.system_out is not None and "flaky: passed after 2 attempts" in flaky.system_out
    assert flaky.time == pytest.approx(13.121)
    orders = {case.name: case for case in suites["api/orders.spec.ts"]}
    assert isinstance(orders["Orders API > refunds a partially shipped order"].result[0], Skipped)
    (crash,) = suites["cypress/e2e/billing/invoices.cy.ts"]
    assert crash.name == "(spec error)" and isinstance(crash.result[0], Error)


def test_junit_export_drops_characters_xml_cannot_carry(tmp_path: Path) -> None:
    (first, *_) = records_of("jest-failed-and-todo")
    broken = TestRecord(**{**first.to_dict(), "title": ("nul\x00 and bell\x07",), "artifacts": ()})
    write_records(tmp_path / "odd.xml", [broken])
    (suite,) = JUnitXml.fromfile(str(tmp_path / "odd.xml"))
    assert [case.name for case in suite] == ["nul and bell"]


def test_jsonl_export_writes_one_json_object_per_record(tmp_path: Path) -> None:
    records = records_of(*RUN)
    write_records(tmp_path / "run.jsonl", records)
    lines = (tmp_path / "run.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [json.loads(json.dumps(r.to_dict())) for r in records]


def test_csv_export_has_a_header_and_one_row_per_record(tmp_path: Path) -> None:
    records = records_of(*RUN)
    write_records(tmp_path / "run.csv", records)
    with (tmp_path / "run.csv").open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == len(records)
    failed = next(row for row in rows if row["test_id"] == "r4")
    assert failed["state"] == "failed" and failed["attempts"] == "3" and failed["title"].endswith("after import")
    assert len(failed["artifact_urls"].split(" ")) == 4
    assert {row["state"] for row in rows} == {"passed", "failed", "flaky", "skipped", "pending"}


def test_a_failed_export_leaves_the_previous_file_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "run.jsonl"
    target.write_text("previous\n")

    def interrupted() -> list[TestRecord]:
        records = records_of("jest-failed-and-todo")
        raise KeyboardInterrupt if records else AssertionError

    with pytest.raises(KeyboardInterrupt), RecordWriter(target, "jsonl") as writer:
        writer.add_all(records_of("cypress-retries"))
        writer.add_all(interrupted())
    assert target.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.jsonl"]


def test_the_format_comes_from_the_flag_else_the_suffix() -> None:
    assert format_for(Path("out/run.XML")) == "junit"
    assert format_for(Path("run.ndjson")) == "jsonl"
    assert format_for(Path("run.csv")) == "csv"
    assert format_for(Path("run.txt"), "csv") == "csv"
    with pytest.raises(ExportFormatError, match="cannot tell the format"):
        format_for(Path("run.txt"))
    with pytest.raises(ExportFormatError, match="unknown export format 'yaml'"):
        format_for(Path("run.xml"), "yaml")
