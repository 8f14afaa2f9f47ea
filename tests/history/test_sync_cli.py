"""`currents-api sync` as users run it, in a subprocess against the mock on loopback: the summary line, the
progress bar on a terminal only, a sync SIGKILLed after the N-th request and run again, and each fault as one
line with its exit status and the store as it was."""

from __future__ import annotations

import hashlib
import re
import resource
import shutil
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from tests.history.support import PROJECTS, Wrapper, mock_app, rows, serve
from tests.lib.cli_support import SCRIPT, TIMEOUT, assert_one_error_line, cli, cli_on_terminal, environment

pytestmark = pytest.mark.slow  # the end-to-end tier: `make test-e2e`

SUMMARY = re.compile(
    r"^synced 2 projects: 20 runs, 54 instances, \d+ tests added \(20 runs and \d+ instances read\) in [\d.]+ s$"
)


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Wrapper, str, Path, int]]:
    """The mock, a store of one uninterrupted `currents-api sync` of it, and how many requests that sync sent."""
    wrapper = Wrapper(mock_app())
    with serve(wrapper) as url:
        path = tmp_path_factory.mktemp("clean") / "history.duckdb"
        process = cli(url, "sync", "--db", str(path))
        assert process.returncode == 0, process.stderr
        assert SUMMARY.match(process.stdout.strip()), process.stdout
        yield wrapper, url, path, wrapper.requests


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_on_a_pipe_a_sync_prints_one_summary_line_and_no_progress(
    mock: tuple[Wrapper, str, Path, int], tmp_path: Path
) -> None:
    _, url, _, _ = mock
    process = cli(url, "sync", *PROJECTS, "--db", "h.duckdb", cwd=tmp_path)
    assert process.returncode == 0 and process.stderr == ""
    assert len(process.stdout.splitlines()) == 1 and SUMMARY.match(process.stdout.strip()), process.stdout
    again = cli(url, "sync", "--db", "h.duckdb", cwd=tmp_path)
    assert again.stdout.startswith("synced 2 projects: 0 runs, 0 instances, 0 tests added (3 runs and ")


def test_on_a_terminal_a_sync_shows_a_progress_bar_of_the_instances(
    mock: tuple[Wrapper, str, Path, int], tmp_path: Path
) -> None:
    _, url, _, _ = mock
    status, output = cli_on_terminal(url, "sync", cwd=tmp_path)
    assert status == 0, output
    assert re.search(r"sync \w+: runs \d+/\d+, instances .* \d+/\d+", output), output
    assert (tmp_path / "currents-history.duckdb").exists()  # the default --db
    assert SUMMARY.match(output.strip().splitlines()[-1]), output


@pytest.mark.parametrize("share", [0.0, 0.3, 0.6, 0.97])
def test_a_sync_killed_after_any_request_and_run_again_ends_with_the_rows_of_an_uninterrupted_one(
    mock: tuple[Wrapper, str, Path, int], tmp_path: Path, share: float
) -> None:
    wrapper, url, clean, total = mock
    path = tmp_path / "killed.duckdb"
    wrapper.kill_at = wrapper.requests + max(1, int(total * share))
    try:
        process = subprocess.Popen(
            [SCRIPT, "sync", "--db", str(path)],
            env=environment(url),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wrapper.set_pid(process.pid)
        assert process.wait(timeout=TIMEOUT) == -signal.SIGKILL
    finally:
        wrapper.kill_at = 0
        wrapper.pid_set.clear()
    if path.exists():  # whole runs only: each run it holds has every instance and test row of the clean store
        interrupted, expected = rows(path), rows(clean)
        held = {row[0] for row in interrupted["runs"]}
        for table in ("instances", "tests"):  # run_id is the second column of both
            assert [r for r in interrupted[table] if r[1] in held] == [r for r in expected[table] if r[1] in held]
            assert {r[1] for r in interrupted[table]} <= held
    resumed = cli(url, "sync", "--db", str(path))
    assert resumed.returncode == 0, resumed.stderr
    assert rows(path) == rows(clean)


@contextmanager
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A read-only tmpfs (as root, whom file modes do not stop); else /sys, read-only in a container."""
    folder = tmp_path / "ro"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)], check=False)
    try:
        yield folder if mounted.returncode == 0 else Path("/sys")
    finally:
        if mounted.returncode == 0:
            subprocess.run(["umount", str(folder)], check=True)


def test_a_read_only_folder_is_one_line_exit_2_before_any_request(
    mock: tuple[Wrapper, str, Path, int], tmp_path: Path
) -> None:
    wrapper, url, _, _ = mock
    before = wrapper.requests
    with read_only_folder(tmp_path) as folder:
        process = cli(url, "sync", "--db", str(folder / "h.duckdb"))
        assert_one_error_line(process, 2, f"error: --db {folder / 'h.duckdb'}: cannot write in {folder}")
        assert not (folder / "h.duckdb").exists()
    assert wrapper.requests == before


def test_a_file_that_is_not_duckdb_is_one_line_exit_2_and_left_as_it_is(
    mock: tuple[Wrapper, str, Path, int], tmp_path: Path
) -> None:
    wrapper, url, _, _ = mock
    path = tmp_path / "notes.duckdb"
    path.write_text("not a database\n")
    before = wrapper.requests
    assert_one_error_line(cli(url, "sync", "--db", str(path)), 2, f"error: --db {path}: is not a DuckDB database")
    assert path.read_text() == "not a database\n" and wrapper.requests == before


def test_a_store_of_a_newer_kit_is_one_line_exit_2_and_left_as_it_is(
    mock: tuple[Wrapper, str, Path, int], tmp_path: Path
) -> None:
    _, url, clean, _ = mock
    path = tmp_path / "newer.duckdb"
    path.write_bytes(clean.read_bytes())
    connection = duckdb.connect(str(path))
    connection.execute("UPDATE store_meta SET value = '9' WHERE key = 'schema_version'")
    connection.close()
    before = digest(path)
    process = cli(url, "sync", "--db", str(path))
    assert_one_error_line(process, 2, "made by a newer kit (schema version 9; this one reads 1)")
    assert digest(path) == before


def test_a_store_locked_by_another_process_is_one_line_exit_1_and_left_as_it_is(
    mock: tuple[Wrapper, str, Path, int], tmp_path: Path
) -> None:
    _, url, clean, _ = mock
    path = tmp_path / "locked.duckdb"
    path.write_bytes(clean.read_bytes())
    before = digest(path)
    holder = duckdb.connect(str(path))  # this test's process holds DuckDB's lock; the CLI is another process
    try:
        process = cli(url, "sync", "--db", str(path))
    finally:
        holder.close()
    assert_one_error_line(process, 1, f"error: --db {path}: locked by another process (another sync?)")
    assert digest(path) == before


@pytest.mark.parametrize("existing", [True, False])
def test_a_wrong_key_is_one_line_exit_1_and_the_store_as_it_was(
    mock: tuple[Wrapper, str, Path, int], tmp_path: Path, existing: bool
) -> None:
    _, url, clean, _ = mock
    path = tmp_path / "h.duckdb"
    if existing:
        path.write_bytes(clean.read_bytes())
    before = digest(path) if existing else None
    process = cli(url, "sync", "--db", str(path), key="cur_wrong_key_0123456789")
    assert_one_error_line(process, 1, "error: ", "401")
    assert "cur_wrong_key" not in process.stderr + process.stdout
    assert (digest(path) if path.exists() else None) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == (["h.duckdb"] if existing else [])


def test_an_unknown_project_is_one_line_exit_1_and_no_store_is_created(
    mock: tuple[Wrapper, str, Path, int], tmp_path: Path
) -> None:
    _, url, _, _ = mock
    process = cli(url, "sync", PROJECTS[0], "NoSuchProject", "--db", str(tmp_path / "h.duckdb"))
    assert_one_error_line(process, 1, "error: ", "404")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--since", "last tuesday"], "error: --since 'last tuesday' is not a date (YYYY-MM-DD or an ISO 8601"),
        (["--concurrency", "0"], "error: --concurrency must be at least 1, not 0"),
    ],
)
def test_bad_arguments_are_one_line_exit_2_before_any_request(
    mock: tuple[Wrapper, str, Path, int], tmp_path: Path, args: list[str], fragment: str
) -> None:
    wrapper, url, _, _ = mock
    before = wrapper.requests
    assert_one_error_line(cli(url, "sync", *args, cwd=tmp_path), 2, fragment)
    assert wrapper.requests == before and list(tmp_path.iterdir()) == []


@contextmanager
def full_folder(tmp_path: Path) -> Iterator[tuple[Path, dict[str, object]]]:
    """A folder on a 96 KiB tmpfs (as root), too small for the mock's history; else a folder in which the sync's
    process may write no file past 96 KiB (RLIMIT_FSIZE, its writes fail with EFBIG). Yields the folder and the
    extra arguments of `subprocess.run` for the sync."""
    folder = tmp_path / "full"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(folder)], check=False)
    try:
        if mounted.returncode == 0:
            yield folder, {}
        else:

            def limit() -> None:
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (96 * 1024, 96 * 1024))

            yield folder, {"preexec_fn": limit}
    finally:
        if mounted.returncode == 0:
            subprocess.run(["umount", str(folder)], check=True)


def test_a_full_disk_is_one_line_exit_1_and_the_store_holds_whole_runs_only(
    mock: tuple[Wrapper, str, Path, int], tmp_path: Path
) -> None:
    _, url, clean, _ = mock
    with full_folder(tmp_path) as (folder, extra):
        process = subprocess.run(
            [SCRIPT, "sync", "--db", str(folder / "h.duckdb")],
            env=environment(url),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
            **extra,  # type: ignore[call-overload]
        )
        kept = tmp_path / "kept"  # what the full disk holds, read where there is room to replay its log
        kept.mkdir()
        for part in folder.iterdir():
            shutil.copy2(part, kept / part.name)
    assert_one_error_line(process, 1, f"error: --db {folder / 'h.duckdb'}: ")
    assert "No space left on device" in process.stderr or "File too large" in process.stderr, process.stderr
    assert "cannot rollback" not in process.stderr  # the error that matters, not the rollback's
    if (kept / "h.duckdb").exists():
        interrupted, expected = rows(kept / "h.duckdb"), rows(clean)
        held = {row[0] for row in interrupted["runs"]}
        assert len(held) < len(expected["runs"])  # the disk filled before the end
        for table in ("instances", "tests"):  # run_id is the second column of both
            assert [r for r in interrupted[table] if r[1] in held] == [r for r in expected[table] if r[1] in held]
            assert {r[1] for r in interrupted[table]} <= held
