"""Export writers: JSON Lines, CSV and JUnit XML read back with their own parsers, and never half-written."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path
from xml.etree import ElementTree

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


# --- every column, and server text as data --------------------------------------------------------------------------


def r4() -> TestRecord:
    return next(r for r in records_of("cypress-retries") if r.test_id == "r4")


def test_csv_has_every_column_and_every_value_of_a_row(tmp_path: Path) -> None:
    record = r4()
    write_records(tmp_path / "run.csv", [record])
    with (tmp_path / "run.csv").open(newline="", encoding="utf-8") as stream:
        header, row = list(csv.reader(stream))
    assert header == [
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
    ]
    assert row == [
        "0a6e3f9c1b7d45e28f0c6a1b9d3e7f52",
        "c5d8f2a1-7e4b-4d90-9a3c-6f1e0b8d2c47",
        "cypress/e2e/inventory/sync.cy.js",
        "cypress",
        "r4",
        "Inventory sync > updates stock levels after import",
        "failed",
        "failed",
        "15928",
        "3",
        "false",
        "expected 12 to equal 10",
        "",
        " ".join(a.url for a in record.artifacts),
    ]


HOSTILE_TITLES = ('=HYPERLINK("http://evil.example","x")', "+1", "-2+3", "@SUM(A1:A9)", "\tTab", "\rCR", "ok")


def test_csv_cells_that_would_start_a_formula_get_a_quote_and_lose_nul_and_esc(tmp_path: Path) -> None:
    records = [
        dataclasses.replace(r4(), title=(title,), error_message="nul\x00 esc\x1b[2J c1\x9b end")
        for title in HOSTILE_TITLES
    ]
    write_records(tmp_path / "run.csv", records)
    with (tmp_path / "run.csv").open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [row["title"] for row in rows] == [
        '\'=HYPERLINK("http://evil.example","x")',
        "'+1",
        "'-2+3",
        "'@SUM(A1:A9)",
        "'\tTab",
        "'\rCR",
        "ok",
    ]
    assert {row["error_message"] for row in rows} == {"nul esc[2J c1 end"}


def test_json_lines_escape_every_control_character(tmp_path: Path) -> None:
    record = dataclasses.replace(r4(), title=("nul\x00 esc\x1b]0;owned\x07 c1\x9b",))
    write_records(tmp_path / "run.jsonl", [record])
    raw = (tmp_path / "run.jsonl").read_bytes()
    assert not any(byte < 0x20 for byte in raw.rstrip(b"\n")) and b"\xc2\x9b" not in raw
    assert json.loads(raw)["title"] == ["nul\x00 esc\x1b]0;owned\x07 c1\x9b"]  # escaped, not lost


def test_a_lone_surrogate_becomes_the_replacement_character_in_every_format(tmp_path: Path) -> None:
    record = dataclasses.replace(r4(), title=("bad \ud800 title",), error_message="msg \udfff")
    for name in ("run.jsonl", "run.csv", "run.xml"):
        write_records(tmp_path / name, [record])
    assert json.loads((tmp_path / "run.jsonl").read_text(encoding="utf-8"))["title"] == ["bad \ufffd title"]
    with (tmp_path / "run.csv").open(newline="", encoding="utf-8") as stream:
        (row,) = csv.DictReader(stream)
    assert (row["title"], row["error_message"]) == ("bad \ufffd title", "msg \ufffd")
    ((case,),) = JUnitXml.fromfile(str(tmp_path / "run.xml"))
    assert case.name == "bad \ufffd title" and case.result[0].message == "msg \ufffd"


# --- JUnit for CI servers -------------------------------------------------------------------------------------------


def test_junit_failure_body_does_not_repeat_a_message_the_stack_restates(tmp_path: Path) -> None:
    restated = r4()
    separate = dataclasses.replace(restated, test_id="r5", title=("own",), error_stack="at line 3\nat line 9")
    write_records(tmp_path / "run.xml", [restated, separate])
    (suite,) = JUnitXml.fromfile(str(tmp_path / "run.xml"))
    bodies = {case.name: case.result[0].text for case in suite}
    assert bodies["Inventory sync > updates stock levels after import"] == restated.error_stack
    assert bodies["own"] == "expected 12 to equal 10\nat line 3\nat line 9"


def test_junit_failed_and_flaky_tests_say_their_attempts(tmp_path: Path) -> None:
    write_records(tmp_path / "run.xml", records_of("cypress-retries"))
    (suite,) = JUnitXml.fromfile(str(tmp_path / "run.xml"))
    outs = {case.name: case.system_out for case in suite}
    assert outs["Inventory sync > updates stock levels after import"] == "failed after 3 attempts"
    assert (outs["Inventory sync > imports the supplier CSV"] or "").startswith("flaky: passed after 2 attempts")


def test_junit_links_each_test_to_its_downloaded_artifacts(tmp_path: Path) -> None:
    from currents_api_client.lib.artifacts import plan

    records = records_of("cypress-retries")
    write_records_with_artifacts = RecordWriter(tmp_path / "run.xml", "junit", artifacts=Path("out"))
    with write_records_with_artifacts as writer:
        writer.add_all(records)
    (suite,) = JUnitXml.fromfile(str(tmp_path / "run.xml"))
    failed = next(case for case in suite if case.name.endswith("updates stock levels after import"))
    by_url = {(job.instance_id, job.url): job.path for job in plan(records, Path("out"))}
    expected = [f"[[ATTACHMENT|{by_url[(r4().instance_id, a.url)]}]]" for a in r4().artifacts]
    assert (failed.system_out or "").splitlines() == ["failed after 3 attempts", *expected]
    assert len(expected) == 4 and all(line.startswith("[[ATTACHMENT|out/c5d8f2a1-") for line in expected)


def test_junit_is_sorted_and_the_root_carries_the_totals(tmp_path: Path) -> None:
    records = records_of(*RUN)
    write_records(tmp_path / "a.xml", records)
    write_records(tmp_path / "b.xml", list(reversed(records)))  # the instances arrived in another order
    assert (tmp_path / "a.xml").read_bytes() == (tmp_path / "b.xml").read_bytes()

    document = JUnitXml.fromfile(str(tmp_path / "a.xml"))
    assert [suite.name for suite in document] == sorted(suite.name for suite in document)
    for suite in document:
        assert [case.name for case in suite] == sorted(case.name for case in suite)
    root = ElementTree.parse(tmp_path / "a.xml").getroot()
    assert root.tag == "testsuites"
    expected_time = sum((r.duration_ms or 0) for r in records) / 1000
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "12",
        "failures": "3",
        "errors": "1",
        "skipped": "3",
    }
    assert float(root.get("time") or "nan") == pytest.approx(expected_time, abs=0.01)
