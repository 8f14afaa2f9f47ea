"""Check the client's release artifacts as a package index and a new user see them (`make release-check`).

Scope: copies the generated client, generated/currents-api-client/, into a scratch folder (its source files
only: no build output, caches or egg-info), and builds the sdist from that clean tree and the wheel from the
sdist, as a release does (`python -m build`, with the pinned hatchling of this environment), into `dist/`.
Then, with the pinned tools of the dev group:
1. `validate-pyproject` checks the client's pyproject.toml (trove classifiers included);
2. `twine check --strict` checks both artifacts: the metadata is complete and the README renders on PyPI;
3. `check-wheel-contents` checks the wheel: no bytecode, caches, tests or stray top-level files, and
   exactly the one package `currents_api_client`;
4. the wheel must hold `py.typed` and the LICENSE, the sdist the LICENSE, the README, the CHANGELOG, `py.typed` and
   pyproject.toml;
5. the wheel is installed alone (with the dependencies it declares) into a fresh virtualenv, and
   `import currents_api_client` must work there from an empty folder, in isolated mode, and report the
   wheel's version as `__version__`.

Limits: installing the wheel's dependencies needs the package index (or pip's cache). Nothing is uploaded.

Exit status: 0 when every check passes; 1 on a finding, one line per finding naming the file at fault;
2 when there is nothing to check (no generated client), as one line.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

from kit._cli import EXIT_FAILED, EXIT_OK, ROOT, UserError, display_path, run
from scripts.spec.check_generated import tree
from scripts.spec.sources import GENERATED, PROJECT_NAME

CLIENT = GENERATED / PROJECT_NAME
PACKAGE = "currents_api_client"
DIST = ROOT / "dist"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Finding(Exception):
    """A release artifact failed a check; the text is one line naming the file."""


@dataclass(frozen=True)
class Artifacts:
    sdist: Path
    wheel: Path


def _tool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run a pinned tool of this environment as `python -m ...`, never from PATH."""
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, cwd=cwd, check=False)


def _lines(completed: subprocess.CompletedProcess[str]) -> list[str]:
    text = ANSI.sub("", completed.stdout + "\n" + completed.stderr)
    return [line.strip() for line in text.splitlines() if line.strip()]


def clean_copy(source: Path, target: Path) -> Path:
    """The files of `source` that `make check-generated` compares, copied into `target`: a clean tree."""
    for name, content in tree(source).items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return target


def build(source: Path, outdir: Path) -> Artifacts:
    """Build the sdist of a clean copy of `source`, then the wheel from that sdist, into `outdir`."""
    with tempfile.TemporaryDirectory(prefix="release-check-") as scratch:
        tree_copy = clean_copy(source, Path(scratch) / source.name)
        completed = _tool("build", "--no-isolation", "--outdir", str(outdir), str(tree_copy))
    if completed.returncode != 0:
        last = _lines(completed)[-1:] or ["?"]
        raise Finding(f"{display_path(source / 'pyproject.toml')}: the build failed: {last[0]}")
    sdists, wheels = sorted(outdir.glob("*.tar.gz")), sorted(outdir.glob("*.whl"))
    if len(sdists) != 1 or len(wheels) != 1:
        raise Finding(
            f"{display_path(outdir)}: expected one sdist and one wheel, found {len(sdists)} and {len(wheels)}"
        )
    return Artifacts(sdist=sdists[0], wheel=wheels[0])


def fresh_virtualenv(wheel: Path, where: Path) -> Path:
    """A new virtualenv at `where` holding only `wheel` and the dependencies it declares; returns its python."""
    venv.EnvBuilder(with_pip=True).create(where)
    python = where / "bin" / "python"
    completed = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        last = _lines(completed)[-1:] or ["?"]
        raise Finding(f"{display_path(wheel)}: does not install into a fresh virtualenv: {last[0]}")
    return python


def check_pyproject(pyproject: Path) -> list[str]:
    completed = _tool("validate_pyproject", str(pyproject))
    if completed.returncode == 0:
        return []
    errors = [line for line in _lines(completed) if "ERROR" in line or "must" in line] or _lines(completed)[-1:]
    return [f"{display_path(pyproject)}: validate-pyproject: {errors[0] if errors else 'invalid'}"]


def check_metadata(artifacts: Artifacts) -> list[str]:
    findings = []
    for artifact in (artifacts.sdist, artifacts.wheel):
        completed = _tool("twine", "--no-color", "check", "--strict", str(artifact))
        if completed.returncode != 0:
            problems = [line for line in _lines(completed) if not line.startswith("Checking ")]
            findings.append(f"{display_path(artifact)}: twine check --strict: {' '.join(problems)[:300] or 'FAILED'}")
    return findings


def check_wheel(wheel: Path) -> list[str]:
    completed = _tool("check_wheel_contents", "--toplevel", PACKAGE, str(wheel))
    findings = []
    if completed.returncode != 0:
        # Its findings already name the wheel: "<wheel>: W005: ...".
        findings += [f"check-wheel-contents: {line}" for line in _lines(completed) if ": W" in line or ": E" in line]
        findings = findings or [f"{display_path(wheel)}: check-wheel-contents failed: {_lines(completed)[-1:]}"]
    names = zipfile.ZipFile(wheel).namelist()
    if f"{PACKAGE}/py.typed" not in names:
        findings.append(f"{display_path(wheel)}: no {PACKAGE}/py.typed: type checkers would ignore the package")
    if not [name for name in names if re.fullmatch(r"[^/]+\.dist-info/licenses/LICENSE", name)]:
        findings.append(f"{display_path(wheel)}: no .dist-info/licenses/LICENSE")
    return findings


def check_sdist(sdist: Path) -> list[str]:
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    wanted = ["LICENSE", "README.md", "CHANGELOG.md", f"{PACKAGE}/py.typed", "pyproject.toml", "PKG-INFO"]
    return [f"{display_path(sdist)}: {name} is missing" for name in wanted if name not in names]


def check_import(wheel: Path, scratch: Path) -> list[str]:
    """Install the wheel alone into a fresh virtualenv and import the package there, with nothing else present."""
    python = fresh_virtualenv(wheel, scratch / "venv")
    empty = scratch / "empty"
    empty.mkdir()
    completed = subprocess.run(
        [python, "-I", "-c", f"import {PACKAGE}; print({PACKAGE}.__version__)"],
        capture_output=True,
        text=True,
        cwd=empty,
        check=False,
    )
    if completed.returncode != 0:
        last = _lines(completed)[-1:] or ["?"]
        return [f"{display_path(wheel)}: import {PACKAGE} fails in a fresh virtualenv: {last[0]}"]
    version = wheel.name.split("-")[1]
    if completed.stdout.strip() != version:
        return [f"{display_path(wheel)}: {PACKAGE}.__version__ is {completed.stdout.strip()!r}, the wheel is {version}"]
    return []


def release_check(source: Path, outdir: Path) -> list[str]:
    """Every finding on the artifacts built from `source` into `outdir` (emptied first)."""
    if not (source / "pyproject.toml").is_file():
        raise UserError(f"{display_path(source)}: no generated client to check (run `make generate`)")
    shutil.rmtree(outdir, ignore_errors=True)
    outdir.mkdir(parents=True)
    findings = check_pyproject(source / "pyproject.toml")
    try:
        artifacts = build(source, outdir)
        findings += check_metadata(artifacts) + check_wheel(artifacts.wheel) + check_sdist(artifacts.sdist)
        with tempfile.TemporaryDirectory(prefix="release-check-") as scratch:
            findings += check_import(artifacts.wheel, Path(scratch))
    except Finding as finding:
        findings.append(str(finding))
    return findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=CLIENT, help="the client project to check")
    parser.add_argument("--outdir", type=Path, default=DIST, help="where the artifacts are built (emptied first)")
    args = parser.parse_args(argv)
    findings = release_check(args.source.resolve(), args.outdir.resolve())
    for line in findings:
        print(f"release-check: {line}", file=sys.stderr)
    if findings:
        return EXIT_FAILED
    built = ", ".join(sorted(path.name for path in args.outdir.resolve().iterdir()))
    print(f"release-check: passed: {built} in {display_path(args.outdir.resolve())}/")
    return EXIT_OK


if __name__ == "__main__":
    run(main)
