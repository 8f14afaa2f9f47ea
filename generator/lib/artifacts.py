# Hand-written, not generated: edit generator/lib/artifacts.py; `make generate` copies it into the package unchanged.
"""Download the artifacts of test records: concurrently, streamed to disk, and once more after they expire.

`adownload_artifacts(records, directory, refresh=...)` fetches every distinct artifact URL of the
records into `directory/<instanceId>/<file name>`:
- at most `concurrency` downloads at a time, each streamed in chunks to a temporary `.part` file that
  is renamed into place when complete, so memory stays flat whatever the file size and an
  interrupted download never leaves a truncated file under the real name;
- a file already present with the size the server announces (`Content-Length`) is skipped without
  reading the body (artifact URLs are signed for GET only, so there is no HEAD request);
- artifact URLs are pre-signed and expire 2 hours after the instance was fetched. A download refused
  with 403 (how S3, R2 and CloudFront refuse an expired signature) calls `refresh(instance_id)` once
  per instance for fresh records, and retries with the new URL of the same artifact (same test,
  kind, attempt and URL path). Without `refresh`, or when it fails or the retry is refused too, the
  file is reported missing;
- any other failure (another status, a network error) reports the file missing, with the reason.

The requests go out on a plain `httpx.AsyncClient` without the API key: artifact hosts are not the
Currents API and must never see it. File names keep only letters, digits, `.`, `_` and `-`.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from .records import Artifact, TestRecord

DEFAULT_CONCURRENCY = 8
CHUNK_BYTES = 64 * 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

Refresh = Callable[[str], Awaitable[Sequence[TestRecord]]]
Key = tuple[str | None, str, int | None, str]  # test id, kind, attempt index, URL path


@dataclass(frozen=True, slots=True)
class MissingArtifact:
    """An artifact that could not be downloaded, and why (never the URL: it carries a signature)."""

    instance_id: str
    path: Path
    reason: str


@dataclass(slots=True)
class DownloadReport:
    """What `adownload_artifacts` did."""

    downloaded: int = 0
    skipped: int = 0
    refreshed_instances: int = 0
    bytes: int = 0
    missing: list[MissingArtifact] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.downloaded + self.skipped + len(self.missing)


@dataclass(slots=True)
class _Job:
    instance_id: str
    key: Key
    url: str
    path: Path


def safe_name(text: str) -> str:
    """`text` as a file name: unsafe runs become `_`, no leading dot, at most 150 characters."""
    cleaned = _UNSAFE.sub("_", text).lstrip(".")[:150]
    return cleaned or "file"


def artifact_key(record: TestRecord, artifact: Artifact) -> Key:
    return (record.test_id, artifact.kind, artifact.attempt_index, urlsplit(artifact.url).path)


def plan(records: Iterable[TestRecord], directory: Path) -> list[_Job]:
    """One job per distinct artifact URL path, with a file name unique within its instance folder."""
    jobs: list[_Job] = []
    seen: set[tuple[str, str]] = set()
    taken: set[Path] = set()
    for record in records:
        for artifact in record.artifacts:
            url_path = urlsplit(artifact.url).path
            if (record.instance_id, url_path) in seen:
                continue  # the same file (a Cypress spec video is every test's)
            seen.add((record.instance_id, url_path))
            folder = directory / safe_name(record.instance_id)
            name = safe_name(unquote(url_path.rsplit("/", 1)[-1]) or artifact.name or artifact.kind)
            path = folder / name
            counter = 1
            while path in taken:
                counter += 1
                stem, dot, suffix = name.rpartition(".")
                path = folder / (f"{stem}-{counter}.{suffix}" if dot and stem else f"{name}-{counter}")
            taken.add(path)
            jobs.append(_Job(record.instance_id, artifact_key(record, artifact), artifact.url, path))
    return jobs


class _Refused(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


class _Downloader:
    def __init__(self, http: httpx.AsyncClient, refresh: Refresh | None, report: DownloadReport) -> None:
        self.http = http
        self.refresh = refresh
        self.report = report
        self._fresh: dict[str, asyncio.Future[dict[Key, str] | None]] = {}

    async def fetch(self, url: str, path: Path) -> None:
        """Download `url` to `path`, or skip it when `path` has the announced size. Raises `_Refused`."""
        async with self.http.stream("GET", url) as response:
            if response.status_code != 200:
                raise _Refused(response.status_code)
            announced = response.headers.get("content-length", "")
            if announced.isdigit() and path.is_file() and path.stat().st_size == int(announced):
                self.report.skipped += 1
                return
            path.parent.mkdir(parents=True, exist_ok=True)
            part = path.with_name(path.name + ".part")
            written = 0
            try:
                with part.open("wb") as out:
                    async for chunk in response.aiter_bytes(CHUNK_BYTES):
                        out.write(chunk)
                        written += len(chunk)
                os.replace(part, path)
            except BaseException:
                part.unlink(missing_ok=True)
                raise
            self.report.downloaded += 1
            self.report.bytes += written

    async def fresh_urls(self, instance_id: str) -> dict[Key, str] | None:
        """The artifact URLs of a re-fetched instance, by key; fetched at most once per instance."""
        pending = self._fresh.get(instance_id)
        if pending is None:
            pending = self._fresh[instance_id] = asyncio.get_running_loop().create_future()
            urls: dict[Key, str] | None = None
            try:
                if self.refresh is not None:
                    records = await self.refresh(instance_id)
                    urls = {artifact_key(r, a): a.url for r in records for a in r.artifacts}
                    self.report.refreshed_instances += 1
            except Exception:
                urls = None
            pending.set_result(urls)
        return await pending

    async def run(self, job: _Job) -> None:
        try:
            try:
                await self.fetch(job.url, job.path)
                return
            except _Refused as refused:
                if refused.status != 403:
                    raise
            urls = await self.fresh_urls(job.instance_id)
            url = urls.get(job.key) if urls is not None else None
            if url is None:
                reason = "expired, and the re-fetched instance has no fresh URL for it"
                self.report.missing.append(MissingArtifact(job.instance_id, job.path, reason))
                return
            try:
                await self.fetch(url, job.path)
            except _Refused as refused:
                reason = f"refused with HTTP {refused.status}, also after re-fetching the instance"
                self.report.missing.append(MissingArtifact(job.instance_id, job.path, reason))
        except _Refused as refused:
            self.report.missing.append(MissingArtifact(job.instance_id, job.path, f"HTTP {refused.status}"))
        except (httpx.HTTPError, OSError) as exc:
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            self.report.missing.append(MissingArtifact(job.instance_id, job.path, reason))


async def adownload_artifacts(
    records: Iterable[TestRecord],
    directory: Path,
    *,
    refresh: Refresh | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_progress: Callable[[int, int], None] | None = None,
    http: httpx.AsyncClient | None = None,
) -> DownloadReport:
    """Download every artifact of `records` below `directory` (see the module docstring)."""
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, not {concurrency}")
    jobs = plan(records, directory)
    report = DownloadReport()
    own = http is None
    client = http or httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=True)
    downloader = _Downloader(client, refresh, report)
    queue: asyncio.Queue[_Job] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    done = 0
    if on_progress is not None:
        on_progress(0, len(jobs))

    async def worker() -> None:
        nonlocal done
        while not queue.empty():
            job = queue.get_nowait()
            await downloader.run(job)
            done += 1
            if on_progress is not None:
                on_progress(done, len(jobs))

    try:
        await asyncio.gather(*(worker() for _ in range(min(concurrency, len(jobs)))))
    finally:
        if own:
            await client.aclose()
    return report


def download_artifacts(
    records: Iterable[TestRecord],
    directory: Path,
    *,
    refresh: Refresh | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_progress: Callable[[int, int], None] | None = None,
) -> DownloadReport:
    """`adownload_artifacts` from synchronous code."""
    return asyncio.run(
        adownload_artifacts(records, directory, refresh=refresh, concurrency=concurrency, on_progress=on_progress)
    )
