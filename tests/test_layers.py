"""The arrows between the kit's folders point one way: the base layer (kit/) imports neither the pipeline
(scripts/) nor the mock, and the mock (contract_tests/mock_api/) imports the base layer, never scripts/. Inside
scripts/, each subsystem imports only the ones it builds on, and neither scripts/ nor bench/ imports a test.
Within the mock, the backend and every module it reaches know no HTTP: only the resources and `rest` do."""

from __future__ import annotations

import ast
from pathlib import Path

from kit._cli import ROOT


def imported_top_levels(folder: Path) -> dict[str, set[str]]:
    """Each module below `folder` (by relative path) and the top-level packages it imports, absolutely."""
    found = {}
    for path in sorted(folder.rglob("*.py")):
        tops = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                tops |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                tops.add(node.module.split(".")[0])
        found[path.relative_to(ROOT).as_posix()] = tops
    return found


def imported_modules(path: Path) -> set[str]:
    """The modules `path` imports by absolute name (`from a.b import c` gives `a.b` and `a.b.c`)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def module_path(module: str) -> Path:
    """The file of `module` in this repository (it may not exist: a third-party module, or a name)."""
    base = ROOT / Path(*module.split("."))
    return base.with_suffix(".py") if base.with_suffix(".py").is_file() else base / "__init__.py"


def reached_from(module: str) -> set[str]:
    """`module` and every module of this repository it imports, directly or through others."""
    reached, todo = set(), [module]
    while todo:
        name = todo.pop()
        path = module_path(name)
        if name in reached or not path.is_file():
            continue
        reached.add(name)
        todo += sorted(imported_modules(path))
    return reached


def imports_below(folder: Path, pattern: str = "**/*.py") -> dict[str, set[str]]:
    """Each module below `folder` matching `pattern` (by relative path) and the modules it imports."""
    return {path.relative_to(ROOT).as_posix(): imported_modules(path) for path in sorted(folder.glob(pattern))}


def scripts_parts(names: set[str]) -> set[str]:
    """The part of scripts/ each `scripts.<part>...` name is in (a subsystem's folder or a module)."""
    return {name.split(".")[1] for name in names if name.startswith("scripts.")}


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


HTTP_MODULES = ("starlette", "httpx", "contract_tests.mock_api.rest", "contract_tests.mock_api.resources")


def test_the_mocks_backend_reaches_no_http_module() -> None:
    reached = reached_from("contract_tests.mock_api.backend")
    assert {"contract_tests.mock_api.seed", "contract_tests.mock_api.project_settings"} <= reached
    imports = {name for module in reached for name in imported_modules(module_path(module))}
    assert sorted(n for n in imports if n.startswith(HTTP_MODULES)) == []


# What each subsystem of scripts/ may import of scripts/: itself and what it builds on. The contract modules
# may import spec/; no subsystem imports them.
SUBSYSTEMS = {"spec": {"spec"}, "versions": {"versions"}, "release": {"release", "spec"}, "history": {"history"}}


def test_each_subsystem_of_the_pipeline_imports_only_what_it_builds_on() -> None:
    found: dict[str, list[str]] = {}
    for subsystem, allowed in SUBSYSTEMS.items():
        modules = imports_below(ROOT / "scripts" / subsystem)
        assert modules, subsystem
        found |= {name: sorted(scripts_parts(names) - allowed) for name, names in modules.items()}
    assert {name: parts for name, parts in found.items() if parts} == {}


def test_the_contract_modules_import_no_subsystem_but_the_spec_build() -> None:
    modules = imports_below(ROOT / "scripts", "*.py") | imports_below(ROOT / "scripts" / "contract")
    found = {name: sorted(scripts_parts(names) & set(SUBSYSTEMS) - {"spec"}) for name, names in modules.items()}
    assert {name: parts for name, parts in found.items() if parts} == {}


def test_neither_the_pipeline_nor_the_bench_imports_a_test() -> None:
    modules = imports_below(ROOT / "scripts") | imports_below(ROOT / "bench")
    found = {
        name: sorted(n for n in names if n.split(".")[0] == "tests" or n.startswith("contract_tests.conftest"))
        for name, names in modules.items()
    }
    assert {name: tests for name, tests in found.items() if tests} == {}
