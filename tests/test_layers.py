"""The arrows between the kit's folders point one way: the base layer (kit/) imports neither the pipeline
(scripts/) nor the mock, and the mock (contract_tests/mock_api/) imports the base layer, never scripts/. Inside
scripts/, each subsystem imports only the ones it builds on, and neither scripts/ nor bench/ imports a test."""

from __future__ import annotations

import ast
from pathlib import Path

from kit._cli import ROOT


def imported_modules(folder: Path) -> dict[str, set[str]]:
    """Each module below `folder` (by relative path) and the dotted names it imports, absolutely: `from a.b import c`
    gives `a.b` and `a.b.c` (c may be a module)."""
    found = {}
    for path in sorted(folder.rglob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        found[path.relative_to(ROOT).as_posix()] = names
    return found


def imported_top_levels(folder: Path) -> dict[str, set[str]]:
    """Each module below `folder` (by relative path) and the top-level packages it imports, absolutely."""
    return {module: {name.split(".")[0] for name in names} for module, names in imported_modules(folder).items()}


def test_the_base_layer_imports_neither_the_pipeline_nor_the_mock() -> None:
    modules = imported_top_levels(ROOT / "kit")
    assert "kit/bundle.py" in modules
    assert {
        name: tops & {"scripts", "contract_tests"}
        for name, tops in modules.items()
        if tops & {"scripts", "contract_tests"}
    } == {}


def test_the_mock_imports_the_base_layer_and_not_the_pipeline() -> None:
    modules = imported_top_levels(ROOT / "contract_tests" / "mock_api")
    assert "kit" in modules["contract_tests/mock_api/corpus.py"]
    assert [name for name, tops in modules.items() if "scripts" in tops] == []


# What each subsystem of scripts/ may import of scripts/: itself and what it builds on. The contract modules
# (scripts/*.py) may import spec/; no subsystem imports them.
SUBSYSTEMS = {"spec": {"spec"}, "versions": {"versions"}, "release": {"release", "spec"}, "history": {"history"}}


def test_each_subsystem_of_the_pipeline_imports_only_what_it_builds_on() -> None:
    found = {}
    for subsystem, allowed in SUBSYSTEMS.items():
        modules = imported_modules(ROOT / "scripts" / subsystem)
        assert modules, subsystem
        for module, names in modules.items():
            used = {name.split(".")[1] for name in names if name.startswith("scripts.")}
            if used - allowed:
                found[module] = sorted(used - allowed)
    assert found == {}


def test_the_contract_modules_import_no_subsystem_but_the_spec_build() -> None:
    found = {}
    for module, names in imported_modules(ROOT / "scripts").items():
        if module.count("/") == 1:  # scripts/<name>.py: the contract modules
            used = {name.split(".")[1] for name in names if name.startswith("scripts.")} & set(SUBSYSTEMS)
            if used - {"spec"}:
                found[module] = sorted(used - {"spec"})
    assert found == {}


def test_neither_the_pipeline_nor_the_bench_imports_a_test() -> None:
    found = {}
    for folder in ("scripts", "bench"):
        for module, names in imported_modules(ROOT / folder).items():
            tests = sorted(n for n in names if n.split(".")[0] == "tests" or n.startswith("contract_tests.conftest"))
            if tests:
                found[module] = tests
    assert found == {}
