"""The wheel `make release-check` builds installs alone into a fresh virtualenv and works there.

The wheel and the virtualenv come from scripts/release/release_check.py's own `build` and `fresh_virtualenv`, so
that these tests and `make release-check` check the same artifacts, built the same way.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from contract_tests.conftest import demo_key
from contract_tests.mock_api.app import create_app
from contract_tests.mock_api.artifacts import ArtifactSigner, serve_artifacts
from contract_tests.mock_api.generated_run import GeneratedRun, serve_generated_run
from contract_tests.mock_api.keys import load_keys
from contract_tests.mock_api.server import serve_in_thread
from kit import bundle
from scripts.release import release_check

CONSUMER = Path(__file__).with_name("consumer.py")
READER = Path(__file__).with_name("reader.py")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return release_check.build(release_check.CLIENT, tmp_path_factory.mktemp("dist")).wheel


@pytest.fixture(scope="module")
def fresh_python(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtualenv with only the wheel and the dependencies it declares."""
    return release_check.fresh_virtualenv(wheel, tmp_path_factory.mktemp("fresh") / "venv")


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with serve_in_thread(create_app()) as url:
        yield url


def test_wheel_carries_the_package_typed(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "currents_api_client/py.typed" in names
    assert "currents_api_client/api/instances/get_instance.py" in names
    assert not [name for name in names if name.startswith(("tests/", "scripts/", "openapi/"))]


@pytest.mark.slow
def test_wheel_installs_alone_and_its_dependencies_are_only_httpx_attrs_and_retries(fresh_python: Path) -> None:
    listed = subprocess.run(
        [fresh_python, "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    installed = {line.split("==")[0].lower() for line in listed.splitlines()}
    assert {"currents-api-client", "httpx", "attrs", "httpx-retries"} <= installed
    assert not installed & {"pytest", "schemathesis", "openapi-python-client", "pyyaml", "jsonschema"}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("instance_id", "variant"),
    [("2tniK8lM9j1rSoVh", "PlaywrightInstance"), ("bf89e79f-af2a-43cb-afba-2575e567f103", "CypressInstance")],
)
def test_a_consumer_program_fetches_an_instance_as_its_runner_variant(
    fresh_python: Path, mock_url: str, instance_id: str, variant: str
) -> None:
    demo = load_keys().first_with_every_project()
    assert demo is not None
    key = demo.value
    process = subprocess.run(
        [fresh_python, str(CONSUMER), mock_url, key, instance_id],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=fresh_python.parent,
    )
    assert process.returncode == 0, process.stderr
    assert process.stdout.splitlines() == [f"{variant} {instance_id}", "404 Not Found: Instance not found"]


@pytest.mark.slow
def test_a_reader_with_plain_none_checks_passes_mypy_strict_against_the_installed_wheel(
    fresh_python: Path, tmp_path: Path
) -> None:
    """Only the fresh virtualenv's packages are seen (`--python-executable`), not this project's editable install."""
    script = tmp_path / READER.name
    script.write_text(READER.read_text(encoding="utf-8"), encoding="utf-8")
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--config-file",
            os.devnull,
            "--python-executable",
            str(fresh_python),
            script.name,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": ""},
    )
    assert process.returncode == 0, process.stdout + process.stderr
    assert process.stdout.startswith("Success: no issues found in 1 source file")


@pytest.mark.slow
def test_the_reader_reads_runs_and_instances_of_every_runner_from_the_mock(fresh_python: Path, mock_url: str) -> None:
    demo = load_keys().first_with_every_project()
    assert demo is not None
    process = subprocess.run(
        [fresh_python, str(READER), mock_url, demo.value],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=fresh_python.parent,
    )
    assert process.returncode == 0, process.stderr
    lines = process.stdout.splitlines()
    runs = [line.split() for line in lines if line.startswith("run ")]
    assert {"cypress", "playwright", "jest"} <= {run[2] for run in runs}
    assert all(run[3] == f"listed-as={run[2]}" for run in runs)
    assert any("canceled by" in line for line in lines if line.startswith("run "))
    assert any(line.startswith("  instance ") for line in lines)


@pytest.mark.slow
def test_version_is_one_value_spec_info_package_metadata_and_dunder_version(fresh_python: Path) -> None:
    spec_version = yaml.safe_load(bundle.ENTRY.read_text(encoding="utf-8"))["info"]["version"]
    reported = subprocess.run(
        [
            fresh_python,
            "-I",
            "-c",
            "import importlib.metadata, currents_api_client; "
            "print(importlib.metadata.version('currents-api-client'), currents_api_client.__version__)",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=fresh_python.parent,
    ).stdout.split()
    assert reported == [spec_version, spec_version]


@pytest.mark.slow
def test_installed_metadata_declares_the_license_and_ships_its_text(fresh_python: Path) -> None:
    shown = subprocess.run(
        [
            fresh_python,
            "-I",
            "-c",
            "import importlib.metadata as m; d = m.distribution('currents-api-client'); "
            "print(d.metadata['License-Expression']); "
            "print(any(str(f).endswith('licenses/LICENSE') for f in d.files))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=fresh_python.parent,
    ).stdout.split()
    assert shown == ["Apache-2.0", "True"]


def test_wheel_carries_the_hand_written_layer_and_the_console_script(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    names = archive.namelist()
    assert {"currents_api_client/lib/records.py", "currents_api_client/lib/cli.py"} <= set(names)
    (entry_points,) = [name for name in names if name.endswith(".dist-info/entry_points.txt")]
    assert "currents-api = currents_api_client.lib.cli:main" in archive.read(entry_points).decode()
    (metadata,) = [name for name in names if name.endswith(".dist-info/METADATA")]
    text = archive.read(metadata).decode()
    assert "Provides-Extra: cli" in text and "rich==15.0.0; extra == 'cli'" in text.replace('"', "'")
    assert "pyyaml==6.0.4; extra == 'cli'" in text.replace('"', "'").lower()  # the actions and webhooks files
    assert "Provides-Extra: history" in text and "duckdb==2.0.1; extra == 'history'" in text.replace('"', "'")
    history = {
        "flaky_metrics.sql",
        "flaky_trend.sql",
        "flaky_executions.sql",
        "metrics.py",
        "dataset.py",
        "quarantine.py",
    }
    assert {f"currents_api_client/lib/history/{name}" for name in history} <= set(names)  # the SQL files too


@pytest.mark.slow
def test_without_the_cli_extra_the_console_script_says_what_to_install(fresh_python: Path) -> None:
    process = subprocess.run(
        [fresh_python.with_name("currents-api"), "run", "R"], capture_output=True, text=True, timeout=60
    )
    assert process.returncode == 2 and "Traceback" not in process.stderr
    assert process.stderr.strip().splitlines() == [
        "error: currents-api needs the cli extra (rich is missing): pip install 'currents-api-client[cli]'"
    ]


@pytest.mark.slow
def test_installed_with_the_cli_extra_it_exports_a_run_with_its_artifacts(
    wheel: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    python = release_check.fresh_virtualenv(wheel, tmp_path_factory.mktemp("fresh-cli") / "venv")
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, f"{wheel}[cli]"], check=True)
    env_dir = python.parent.parent
    run = GeneratedRun.build(4)
    key = demo_key()
    app = serve_artifacts(serve_generated_run(create_app(), run, [key]), ArtifactSigner(ttl_seconds=600))
    work = tmp_path_factory.mktemp("export")
    with serve_in_thread(app) as url:
        process = subprocess.run(
            [env_dir / "bin" / "currents-api", "run", run.run_id, "--export", "run.xml", "--artifacts", "out"],
            env={"PATH": os.environ.get("PATH", ""), "CURRENTS_API_URL": url, "CURRENTS_API_KEY": key},
            cwd=work,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert process.returncode == 0, process.stderr
    assert (work / "run.xml").read_text().startswith("<?xml")
    assert [p for p in (work / "out").rglob("*") if p.is_file()]
    flaky = subprocess.run(
        [env_dir / "bin" / "currents-api", "flaky"], cwd=work, capture_output=True, text=True, timeout=120
    )
    assert flaky.returncode == 2 and flaky.stderr.strip().splitlines() == [
        "error: currents-api flaky needs the history extra (duckdb is missing): "
        "pip install 'currents-api-client[cli,history]'"
    ]
