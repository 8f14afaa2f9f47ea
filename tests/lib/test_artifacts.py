"""Artifact downloads against the mock serving signed, expiring URLs on loopback."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from currents_api_client import Artifact, AuthenticatedClient, TestRecord, iter_tests
from currents_api_client.api.instances import get_instance
from currents_api_client.lib.artifacts import DownloadReport, adownload_artifacts, plan

from contract_tests.conftest import demo_key
from contract_tests.mock_api.app import create_app
from contract_tests.mock_api.artifacts import ArtifactSigner, serve_artifacts
from contract_tests.mock_api.server import serve_in_thread

PW_V2 = "7Hq2mXw9LpR4sTz1"  # playwright-v2-flaky-with-attachments: screenshots, videos, traces, attachments
CY_RETRIES = "c5d8f2a1-7e4b-4d90-9a3c-6f1e0b8d2c47"  # five screenshots and the spec video


def serve(signer: ArtifactSigner) -> Iterator[str]:
    with serve_in_thread(serve_artifacts(create_app(), signer)) as url:
        yield url


async def records_of(base_url: str, instance_id: str) -> list[TestRecord]:
    async with AuthenticatedClient(base_url=base_url, token=demo_key()) as client:
        return list(iter_tests((await get_instance.asyncio(instance_id, client=client)).data))


def download(base_url: str, ids: list[str], directory: Path, *, refresh: bool = True) -> DownloadReport:
    async def go() -> DownloadReport:
        records = [r for instance_id in ids for r in await records_of(base_url, instance_id)]

        async def again(instance_id: str) -> list[TestRecord]:
            return await records_of(base_url, instance_id)

        return await adownload_artifacts(records, directory, refresh=again if refresh else None, concurrency=4)

    return asyncio.run(go())


@pytest.fixture
def signer() -> ArtifactSigner:
    return ArtifactSigner(ttl_seconds=600)


@pytest.fixture
def base_url(signer: ArtifactSigner) -> Iterator[str]:
    yield from serve(signer)


def test_every_artifact_is_downloaded_once_with_the_bytes_served(
    base_url: str, signer: ArtifactSigner, tmp_path: Path
) -> None:
    report = download(base_url, [PW_V2, CY_RETRIES], tmp_path)

    files = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert report.downloaded == len(files) == signer.downloads
    assert report.missing == [] and report.skipped == 0
    assert {p.parent.name for p in files} == {PW_V2, CY_RETRIES}
    assert len([p for p in files if p.parent.name == CY_RETRIES]) == 6  # the spec video once, not per test
    assert report.bytes == sum(p.stat().st_size for p in files) > 0
    assert not list(tmp_path.rglob("*.part"))
    assert signer.requests_with_authorization == 0  # the API key never goes to an artifact host


def test_files_already_present_with_the_same_size_are_skipped(base_url: str, tmp_path: Path) -> None:
    first = download(base_url, [CY_RETRIES], tmp_path)
    contents = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    truncated = next(p for p in contents if p.suffix == ".mp4")
    truncated.write_bytes(b"short")

    second = download(base_url, [CY_RETRIES], tmp_path)

    assert (second.downloaded, second.skipped) == (1, first.downloaded - 1)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == contents


def test_expired_urls_are_refreshed_once_per_instance(tmp_path: Path) -> None:
    stale = ArtifactSigner(ttl_seconds=600, stale_first_issue=True)
    for url in serve(stale):
        report = download(url, [PW_V2, CY_RETRIES], tmp_path)
    assert report.missing == []
    assert report.refreshed_instances == 2
    assert report.downloaded == stale.downloads == len([p for p in tmp_path.rglob("*") if p.is_file()])


def test_urls_that_stay_expired_are_reported_missing_and_leave_no_file(tmp_path: Path) -> None:
    expired = ArtifactSigner(ttl_seconds=-60)
    for url in serve(expired):
        report = download(url, [CY_RETRIES], tmp_path)
    assert report.downloaded == 0 and report.refreshed_instances == 1
    assert len(report.missing) == 6
    assert {m.reason for m in report.missing} == {"refused with HTTP 403, also after re-fetching the instance"}
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_without_refresh_an_expired_url_is_missing_after_one_try(tmp_path: Path) -> None:
    expired = ArtifactSigner(ttl_seconds=-60)
    for url in serve(expired):
        report = download(url, [CY_RETRIES], tmp_path, refresh=False)
    assert report.refreshed_instances == 0 and len(report.missing) == 6


def test_a_large_file_is_streamed_to_disk_whole(tmp_path: Path) -> None:
    big = ArtifactSigner(file_bytes=3 * 1024 * 1024 + 7)
    for url in serve(big):
        report = download(url, [CY_RETRIES], tmp_path)
    assert report.missing == []
    assert {p.stat().st_size for p in tmp_path.rglob("*") if p.is_file()} == {3 * 1024 * 1024 + 7}


def test_the_mock_refuses_an_altered_signature_or_expiry(base_url: str) -> None:
    records = asyncio.run(records_of(base_url, CY_RETRIES))
    url = records[0].artifacts[0].url
    assert url.startswith(base_url.removesuffix("/v1") + "/artifacts/")
    assert httpx.get(url).status_code == 200
    tampered = url.replace("X-Expires=", "X-Expires=9")
    answer = httpx.get(tampered)
    assert answer.status_code == 403 and b"SignatureDoesNotMatch" in answer.content


def test_file_names_are_made_safe_and_unique_within_an_instance(tmp_path: Path) -> None:
    from tests.lib.test_records import fixture

    (record, *_) = [r for r in iter_tests(fixture("cypress-retries")) if r.artifacts]
    hostile = (
        Artifact("attachment", "https://files.example/a/..%2F..%2Fetc%2Fpasswd?sig=1"),
        Artifact("screenshot", "https://files.example/one/shot.png?sig=2"),
        Artifact("screenshot", "https://files.example/two/shot.png?sig=3"),
        Artifact("screenshot", "https://files.example/two/shot.png?sig=3"),  # the same URL again: one file
        Artifact("attachment", "https://files.example/download?file=a.png"),
        Artifact("attachment", "https://files.example/download?file=b.png"),  # same path, another file
    )
    jobs = plan([dataclasses.replace(record, artifacts=hostile)], tmp_path)
    folder = tmp_path / CY_RETRIES
    assert [job.path for job in jobs] == [
        folder / "_.._etc_passwd",
        folder / "shot.png",
        folder / "shot-2.png",
        folder / "download",
        folder / "download-2",
    ]
