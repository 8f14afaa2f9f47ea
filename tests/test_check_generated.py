"""`make check-generated`: the drift guard that refuses a generated/ its sources no longer produce."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import RunScript

pytestmark = pytest.mark.slow  # the end-to-end tier: `make test-e2e`

MODEL = Path("generated/currents-api-client/currents_api_client/models/worker.py")
HAND_WRITTEN = Path("generated/currents-api-client/currents_api_client/lib")


def test_committed_tree_matches_its_sources(run_script: RunScript) -> None:
    process = run_script("spec.check_generated")
    assert process.returncode == 0, process.stderr
    assert "matches its sources" in process.stdout


@pytest.mark.slow
def test_hand_edit_of_a_generated_file_fails_naming_it_and_the_fix(project_copy: Path, run_script: RunScript) -> None:
    path = project_copy / MODEL
    path.write_text(path.read_text().replace("workerIndex", "worker_index_edited", 1))

    process = run_script("spec.check_generated", cwd=project_copy)

    assert process.returncode == 1
    assert f"differs: {MODEL.as_posix()}" in process.stderr
    assert "+++ regenerated/" in process.stderr and "worker_index_edited" in process.stderr
    assert "run `make generate` and commit" in process.stderr


@pytest.mark.slow
def test_spec_change_without_regeneration_fails(project_copy: Path, run_script: RunScript) -> None:
    schemas = project_copy / "openapi" / "schemas" / "framework.yaml"
    schemas.write_text(schemas.read_text().replace("Index of the worker process.", "Worker process index.", 1))

    process = run_script("spec.check_generated", cwd=project_copy)

    assert process.returncode == 1
    assert "differs: generated/openapi.json" in process.stderr
    assert f"differs: {MODEL.as_posix()}" in process.stderr


@pytest.mark.slow
def test_files_added_or_removed_by_hand_are_reported(project_copy: Path, run_script: RunScript) -> None:
    (project_copy / MODEL).unlink()
    (project_copy / MODEL).with_name("handmade.py").write_text("x = 1\n")

    process = run_script("spec.check_generated", cwd=project_copy)

    assert process.returncode == 1
    assert f"missing: {MODEL.as_posix()}" in process.stderr
    assert f"not generated from the sources: {MODEL.with_name('handmade.py').as_posix()}" in process.stderr


@pytest.mark.slow
def test_hand_written_modules_are_not_compared_and_generate_leaves_them_alone(
    project_copy: Path, run_script: RunScript
) -> None:
    lib = project_copy / HAND_WRITTEN
    edited = (lib / "records.py").read_text() + "\nEDITED = True\n"
    (lib / "records.py").write_text(edited)
    (lib / "history.py").write_text("STORE = 1\n")  # a new hand-written module, in no list

    checked = run_script("spec.check_generated", cwd=project_copy)
    assert checked.returncode == 0, checked.stderr
    generated = run_script("spec.generate", cwd=project_copy)
    assert generated.returncode == 0, generated.stderr

    assert (lib / "records.py").read_text() == edited
    assert (lib / "history.py").read_text() == "STORE = 1\n"
