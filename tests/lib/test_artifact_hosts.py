"""Artifact downloads against hostile hosts: a real HTTP server on loopback that drips, floods, serves one path
with many queries, and malformed URLs beside good ones."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from currents_api_client import Artifact, TestRecord, download_artifacts, iter_tests
from currents_api_client.lib.artifacts import DownloadReport, Limits

from tests.lib.hostile_host import CAP, serve_host
from tests.lib.test_records import fixture


@pytest.fixture(scope="module")
def host() -> Iterator[str]:
    with serve_host() as url:
        yield url


def with_artifacts(*urls: str) -> TestRecord:
    (record, *_) = list(iter_tests(fixture("cypress-retries")))
    return dataclasses.replace(record, artifacts=tuple(Artifact("attachment", url) for url in urls))


def fetch(folder: Path, *urls: str, limits: Limits | None = None) -> DownloadReport:
    return download_artifacts([with_artifacts(*urls)], folder, concurrency=4, limits=limits)


def files_in(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file() or p.is_symlink()}


def test_malformed_urls_are_reported_missing_and_the_good_ones_downloaded(host: str, tmp_path: Path) -> None:
    report = fetch(
        tmp_path,
        f"{host}/a/one.png",
        "http://[::1/broken.png",
        "http://127.0.0.1:99999/port.png",
        "http://127.0.0.1/nul\x00.png",
        f"{host}/b/two.png",
    )
    assert report.downloaded == 2 and len(report.missing) == 3
    assert {m.reason for m in report.missing} == {"malformed URL, not requested"}
    assert sorted(Path(name).name for name in files_in(tmp_path)) == ["one.png", "two.png"]


def test_one_path_with_two_queries_is_two_files(host: str, tmp_path: Path) -> None:
    report = fetch(tmp_path, f"{host}/download?file=a.png", f"{host}/download?file=b.png")
    assert report.downloaded == 2 and report.missing == []
    assert sorted(files_in(tmp_path).values()) == [b"file a.png", b"file b.png"]


def test_a_file_and_one_named_like_its_temporary_file_both_survive(host: str, tmp_path: Path) -> None:
    report = fetch(tmp_path, f"{host}/x.png", f"{host}/x.png.part")
    assert report.downloaded == 2
    found = files_in(tmp_path)
    assert sorted(found.values()) == [b"body of /x.png", b"body of /x.png.part"] and len(found) == 2


def test_a_planted_symlink_named_like_a_temporary_file_is_not_followed(host: str, tmp_path: Path) -> None:
    folder = tmp_path / "out" / "c5d8f2a1-7e4b-4d90-9a3c-6f1e0b8d2c47"
    folder.mkdir(parents=True)
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    (folder / "shot.png.part").symlink_to(victim)
    report = fetch(tmp_path / "out", f"{host}/shot.png")
    assert report.downloaded == 1 and victim.read_text() == "keep me"
    assert (folder / "shot.png").read_bytes() == b"body of /shot.png"


def test_a_host_that_drips_is_cut_at_the_deadline(host: str, tmp_path: Path) -> None:
    report = fetch(tmp_path, f"{host}/drip", f"{host}/fine.png", limits=Limits(timeout_seconds=1.0))
    assert report.downloaded == 1
    ((missing),) = report.missing
    assert missing.path.name == "drip" and missing.reason == "cut: not complete within the deadline of 1 s"
    assert list(files_in(tmp_path)) == ["c5d8f2a1-7e4b-4d90-9a3c-6f1e0b8d2c47/fine.png"]


def test_a_body_past_the_size_cap_is_cut_and_leaves_no_file(host: str, tmp_path: Path) -> None:
    report = fetch(tmp_path, f"{host}/flood", f"{host}/announced-huge", limits=Limits(max_bytes=CAP))
    assert report.downloaded == 0 and report.bytes == 0
    assert {m.path.name: m.reason for m in report.missing} == {
        "flood": f"cut: larger than the size cap of {CAP} bytes",
        "announced-huge": f"cut: larger than the size cap of {CAP} bytes",
    }
    assert files_in(tmp_path) == {}


def test_the_default_limits_are_generous() -> None:
    assert Limits() == Limits(timeout_seconds=300.0, max_bytes=1024**3)
    with pytest.raises(ValueError, match="deadline"):
        Limits(timeout_seconds=0)
    with pytest.raises(ValueError, match="size cap"):
        Limits(max_bytes=0)


def test_downloads_are_logged_by_httpx_loggers_only(
    host: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        fetch(tmp_path, f"{host}/a.png?X-Signature=secret", "http://[::1/broken.png")
    assert caplog.records, "httpx logs each request"
    assert {r.name.split(".")[0] for r in caplog.records} <= {"httpx", "httpcore", "asyncio"}
