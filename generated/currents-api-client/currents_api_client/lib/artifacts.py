# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""Download the artifacts of test records: concurrently, streamed to disk, bounded, and once more after they expire.

`adownload_artifacts(records, directory, refresh=...)` fetches every distinct artifact URL (path and query)
of the records into `directory/<instanceId>/<file name>`:
- at most `concurrency` downloads at a time, each streamed in chunks to a temporary file (created
  exclusively under an unpredictable name, `files.exclusive_temp`) that is renamed into place when complete,
  so memory stays flat whatever the file size and an interrupted download never leaves a truncated file
  under the real name, nor a temporary one;
- each download is bounded by `limits`: a deadline from the request to the last byte (default 300 s) and a
  size cap (default 1 GiB; a larger `Content-Length` is refused before the body is read). A download cut by
  either is reported missing, saying which bound cut it;
- a file already present with the size the server announces (`Content-Length`) is skipped without
  reading the body (artifact URLs are signed for GET only, so there is no HEAD request);
- artifact URLs are pre-signed and expire 2 hours after the instance was fetched. A download refused
  with 403 (how S3, R2 and CloudFront refuse an expired signature) calls `refresh(instance_id)` once
  per instance for fresh records, and retries with the new URL of the same artifact (same test,
  kind, attempt, URL path and position). Without `refresh`, or when it fails or the retry is refused too,
  the file is reported missing;
- a malformed URL (`http://[::1`, a port out of range, a NUL) is reported missing and not requested; any
  other failure (another status, a network error) reports the file missing, with the reason. One bad
  artifact never stops the others.

The requests go out on a plain `httpx.AsyncClient` without the API key: artifact hosts are not the
Currents API and must never see it. They are logged only by httpx's own loggers (so the package's log
filter covers them); this module logs nothing, and a reason never quotes a URL. File names keep only
letters, digits, `.`, `_` and `-`.
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

from .files import close_quietly, exclusive_temp
from .records import Artifact, TestRecord
from .sync import require_no_running_loop

DEFAULT_CONCURRENCY = 8
DEFAULT_TIMEOUT_SECONDS = 300.0  # per download, from the request to the last byte
DEFAULT_MAX_BYTES = 1024**3  # per file: 1 GiB
CHUNK_BYTES = 64 * 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

Refresh = Callable[[str], Awaitable[Sequence[TestRecord]]]
# test id, kind, attempt index, URL path, and which of the record's artifacts with those four it is
Key = tuple[str | None, str, int | None, str, int]


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


@dataclass(frozen=True, slots=True)
class Limits:
    """The bounds of one download: a deadline from the request to the last byte, and a size cap."""

    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    max_bytes: int = DEFAULT_MAX_BYTES

    def __post_init__(self) -> None:
        if not self.timeout_seconds > 0:
            raise ValueError(f"the download deadline must be more than 0 seconds, not {self.timeout_seconds}")
        if self.max_bytes < 1:
            raise ValueError(f"the download size cap must be at least 1 byte, not {self.max_bytes}")


@dataclass(slots=True)
class _Job:
    instance_id: str
    key: Key
    url: str
    path: Path
    malformed: bool = False


def safe_name(text: str) -> str:
    """`text` as a file name: unsafe runs become `_`, no leading dot, at most 150 characters."""
    cleaned = _UNSAFE.sub("_", text).lstrip(".")[:150]
    return cleaned or "file"


def _url_path(url: str) -> str | None:
    """The path of `url`, or None when it is not a URL httpx can request (`http://[::1`, a bad port, a NUL)."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises on a port out of range
        httpx.URL(url)
    except (ValueError, OverflowError, httpx.InvalidURL):
        return None
    return parts.path


def artifact_keys(record: TestRecord) -> list[Key]:
    """The key of each artifact of `record`: what identifies it again in a re-fetched instance, whose URLs
    carry new signatures."""
    keys: list[Key] = []
    seen: dict[tuple[str | None, str, int | None, str], int] = {}
    for artifact in record.artifacts:
        short = (record.test_id, artifact.kind, artifact.attempt_index, _url_path(artifact.url) or "")
        seen[short] = seen.get(short, -1) + 1
        keys.append((*short, seen[short]))
    return keys


def artifact_key(record: TestRecord, artifact: Artifact) -> Key:
    """The key of `artifact`, one of `record`'s artifacts (the first equal one): see `artifact_keys`."""
    return artifact_keys(record)[record.artifacts.index(artifact)]


def plan(records: Iterable[TestRecord], directory: Path) -> list[_Job]:
    """One job per distinct artifact URL (path and query) of an instance, with a file name unique within its
    instance folder."""
    jobs: list[_Job] = []
    seen: set[tuple[str, str]] = set()
    taken: set[Path] = set()
    for record in records:
        for artifact, key in zip(record.artifacts, artifact_keys(record), strict=True):
            if (record.instance_id, artifact.url) in seen:
                continue  # the same file (a Cypress spec video is every test's)
            seen.add((record.instance_id, artifact.url))
            url_path = _url_path(artifact.url)
            folder = directory / safe_name(record.instance_id)
            last = unquote(url_path.rsplit("/", 1)[-1]) if url_path else ""
            name = safe_name(last or artifact.name or artifact.kind)
            path = folder / name
            counter = 1
            while path in taken:
                counter += 1
                stem, dot, suffix = name.rpartition(".")
                path = folder / (f"{stem}-{counter}.{suffix}" if dot and stem else f"{name}-{counter}")
            taken.add(path)
            jobs.append(_Job(record.instance_id, key, artifact.url, path, malformed=url_path is None))
    return jobs


class _Refused(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


class _TooLarge(Exception):
    pass


class _Downloader:
    def __init__(
        self, http: httpx.AsyncClient, refresh: Refresh | None, report: DownloadReport, limits: Limits
    ) -> None:
        self.http = http
        self.refresh = refresh
        self.report = report
        self.limits = limits
        self._fresh: dict[str, asyncio.Future[dict[Key, str] | None]] = {}

    async def fetch(self, url: str, path: Path) -> None:
        """Download `url` to `path` within the limits, or skip it when `path` has the announced size.
        Raises `_Refused`, `_TooLarge` or `TimeoutError`."""
        async with asyncio.timeout(self.limits.timeout_seconds):
            await self._fetch(url, path)

    async def _fetch(self, url: str, path: Path) -> None:
        async with self.http.stream("GET", url) as response:
            if response.status_code != 200:
                raise _Refused(response.status_code)
            announced = response.headers.get("content-length", "")
            if announced.isdigit() and int(announced) > self.limits.max_bytes:
                raise _TooLarge
            if announced.isdigit() and path.is_file() and path.stat().st_size == int(announced):
                self.report.skipped += 1
                return
            path.parent.mkdir(parents=True, exist_ok=True)
            out, part = exclusive_temp(path)
            written = 0
            try:
                async for chunk in response.aiter_bytes(CHUNK_BYTES):
                    written += len(chunk)
                    if written > self.limits.max_bytes:
                        raise _TooLarge
                    out.write(chunk)
                out.close()
                os.replace(part, path)
            except BaseException:
                close_quietly(out)
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
                    urls = {
                        key: artifact.url
                        for record in records
                        for artifact, key in zip(record.artifacts, artifact_keys(record), strict=True)
                    }
                    self.report.refreshed_instances += 1
            except Exception:
                urls = None
            pending.set_result(urls)
        return await pending

    def _missing(self, job: _Job, reason: str) -> None:
        self.report.missing.append(MissingArtifact(job.instance_id, job.path, reason))

    async def run(self, job: _Job) -> None:
        if job.malformed:
            self._missing(job, "malformed URL, not requested")
            return
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
                self._missing(job, "expired, and the re-fetched instance has no fresh URL for it")
                return
            try:
                await self.fetch(url, job.path)
            except _Refused as refused:
                self._missing(job, f"refused with HTTP {refused.status}, also after re-fetching the instance")
        except _Refused as refused:
            self._missing(job, f"HTTP {refused.status}")
        except _TooLarge:
            self._missing(job, f"cut: larger than the size cap of {self.limits.max_bytes} bytes")
        except TimeoutError:
            self._missing(job, f"cut: not complete within the deadline of {self.limits.timeout_seconds:g} s")
        except (httpx.InvalidURL, ValueError, OverflowError):  # never the message: it may quote the signed URL
            self._missing(job, "malformed URL")
        except (httpx.HTTPError, OSError) as exc:
            self._missing(job, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)


async def adownload_artifacts(
    records: Iterable[TestRecord],
    directory: Path,
    *,
    refresh: Refresh | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_progress: Callable[[int, int], None] | None = None,
    http: httpx.AsyncClient | None = None,
    limits: Limits | None = None,
) -> DownloadReport:
    """Download every artifact of `records` below `directory` (see the module docstring)."""
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, not {concurrency}")
    jobs = plan(records, directory)
    report = DownloadReport()
    own = http is None
    client = http or httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=True)
    downloader = _Downloader(client, refresh, report, limits or Limits())
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
    limits: Limits | None = None,
) -> DownloadReport:
    """`adownload_artifacts` from synchronous code (where no event loop runs: else `await adownload_artifacts`)."""
    require_no_running_loop("download_artifacts()", "await adownload_artifacts(...)")
    return asyncio.run(
        adownload_artifacts(
            records, directory, refresh=refresh, concurrency=concurrency, on_progress=on_progress, limits=limits
        )
    )
