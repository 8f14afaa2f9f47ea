"""Regenerate `generated/` from the spec (`make generate`).

Scope: bundles `openapi/currents.yaml` with the files it references, applies
`overlays/client.overlay.yaml`, writes the result to `generated/openapi.json`,
and generates the client from it into `generated/currents-api-client/` with
the pinned openapi-python-client, `generator/config.yaml` and the custom
templates in `generator/templates/`. The pinned ruff then fixes imports and
formats the code; it runs as `python -m ruff` from this environment, never
from PATH. Last, the hand-written modules of `generator/lib/` are copied
unchanged into the package as `currents_api_client/lib/` (after ruff, so
the copies stay byte for byte what was written; the kit's own ruff and the
package's mypy --strict check them).

Atomic: everything is rendered into a temporary folder beside `generated/`,
and swapped in only when every step succeeded. On any failure `generated/`
is left exactly as it was.

Vendor extensions: openapi-python-client does not hand an operation's `x-`
extensions to the templates, so they are given to them here, as the template
global `operation_extensions` (python name of the operationId -> its `x-`
keys). The endpoint template builds `iterate`/`aiterate` from
`x-currents-pagination`.

Strict: any warning of the generator (a schema it cannot express, a
dropped model) is an error.

Exit status: 0 on success; 2 when an input is wrong, with one line naming
it (the spec file and JSON pointer, the overlay action, the template, or
the generator's complaint).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

import jinja2
import pydantic
from openapi_python_client import Project
from openapi_python_client import _get_project_for_url_or_path as load_project
from openapi_python_client.config import Config, ConfigFile, MetaType
from openapi_python_client.parser.errors import GeneratorError
from openapi_python_client.strings import PythonIdentifier

from scripts import bundle
from scripts._cli import EXIT_OK, ROOT, UserError, display_path, run
from scripts.overlays import apply_overlay_files

GENERATED = ROOT / "generated"
CLIENT_OVERLAY = ROOT / "overlays" / "client.overlay.yaml"
GENERATOR_CONFIG = ROOT / "generator" / "config.yaml"
TEMPLATES = ROOT / "generator" / "templates"
HAND_WRITTEN = ROOT / "generator" / "lib"
HAND_WRITTEN_TARGET = "currents_api_client/lib"
BUNDLED_NAME = "openapi.json"
PROJECT_NAME = "currents-api-client"


class GenerationError(UserError):
    """A step of the generation failed; the message names the input at fault."""


def client_document() -> dict[str, Any]:
    """The bundled source spec with the client overlay applied."""
    document: dict[str, Any] = apply_overlay_files(bundle.bundle(), [CLIENT_OVERLAY])
    return document


def _generator_config(document_path: Path, output: Path) -> Config:
    try:
        config_file = ConfigFile.load_from_path(GENERATOR_CONFIG)
    except FileNotFoundError:
        raise GenerationError(f"{display_path(GENERATOR_CONFIG)}: no such file") from None
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise GenerationError(f"{display_path(GENERATOR_CONFIG)}: {where}: {first['msg']}") from None
    except Exception as exc:  # the YAML parser's own errors
        raise GenerationError(f"{display_path(GENERATOR_CONFIG)}: {str(exc).splitlines()[0]}") from None
    return Config.from_sources(
        config_file,
        MetaType.PDM,  # our pyproject.toml.jinja override decides the build backend
        document_source=document_path,
        file_encoding="utf-8",
        overwrite=False,
        output_path=output,
    )


def _template_frame(exc: BaseException) -> str | None:
    """`file:line` of the innermost template frame in the traceback of `exc`."""
    found = None
    for frame, line in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename.endswith(".jinja"):
            found = f"{display_path(Path(frame.f_code.co_filename))}:{line}"
    return found


def operation_extensions(document: dict[str, Any], config: Config) -> dict[str, dict[str, Any]]:
    """Each operation's `x-` keys, by the python name the generator gives its operationId."""
    found = {}
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "operationId" in operation:
                name = str(PythonIdentifier(operation["operationId"], config.field_prefix))
                found[name] = {key: value for key, value in operation.items() if key.startswith("x-")}
    return found


def _generate_project(config: Config, document: dict[str, Any]) -> list[GeneratorError]:
    """openapi-python-client's own `generate`, with the operations' vendor extensions as a template global."""
    project = load_project(config=config, custom_template_path=TEMPLATES)
    if not isinstance(project, Project):
        return [project]
    project.env.globals["operation_extensions"] = operation_extensions(document, config)
    return list(project.build())


def _run_openapi_python_client(document_path: Path, output: Path) -> None:
    config = _generator_config(document_path, output)
    document = json.loads(document_path.read_text(encoding="utf-8"))
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # it prints "Generating <dir>"
            problems = _generate_project(config, document)
    except jinja2.TemplateSyntaxError as exc:
        name = exc.filename or exc.name or "a template"
        raise GenerationError(
            f"{display_path(Path(name))}:{exc.lineno}: template syntax error: {exc.message}"
        ) from None
    except Exception as exc:  # a template failed while rendering: name the template line
        where = _template_frame(exc) or display_path(TEMPLATES)
        raise GenerationError(
            f"{where}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        ) from None
    if problems:  # warnings included: a schema the generator cannot express is an error here
        first = problems[0]
        detail = " ".join((first.detail or "").split())
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise GenerationError(
            f"{display_path(bundle.ENTRY)} (bundled, with {display_path(CLIENT_OVERLAY)}): openapi-python-client "
            f"{first.level.value.lower()}: {first.header}{': ' + detail[:300] if detail else ''}{more}"
        )


def _run_ruff(project: Path) -> None:
    for args in (["check", "--fix-only", "--quiet", "--no-cache", "."], ["format", "--quiet", "--no-cache", "."]):
        completed = subprocess.run(
            [sys.executable, "-m", "ruff", *args], cwd=project, capture_output=True, text=True, check=False
        )
        if completed.returncode != 0:
            message = (completed.stderr or completed.stdout).strip().splitlines()
            raise GenerationError(f"ruff {args[0]} failed on the generated code: {message[0] if message else '?'}")


def _copy_hand_written(project: Path) -> None:
    """Copy `generator/lib/` into the package, skipping bytecode caches."""
    shutil.copytree(HAND_WRITTEN, project / HAND_WRITTEN_TARGET, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def render(target: Path) -> None:
    """Render a complete `generated/` tree into `target`, which must not exist yet."""
    document = client_document()
    target.mkdir()
    document_path = target / BUNDLED_NAME
    document_path.write_text(bundle.dumps(document), encoding="utf-8")
    project = target / PROJECT_NAME
    _run_openapi_python_client(document_path, project)
    _run_ruff(project)
    _copy_hand_written(project)


def _swap_in(new: Path, scratch: Path) -> None:
    """Replace GENERATED by `new`; `scratch` is a folder on the same filesystem to park the old tree in."""
    old = scratch / "previous"
    if GENERATED.exists():
        os.rename(GENERATED, old)
    try:
        os.rename(new, GENERATED)
    except OSError:
        if old.exists():
            os.rename(old, GENERATED)
        raise


def generate() -> None:
    with tempfile.TemporaryDirectory(dir=ROOT, prefix=".generate-") as scratch:
        new = Path(scratch) / "generated"
        render(new)
        _swap_in(new, Path(scratch))


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    generate()
    print(f"generated {display_path(GENERATED)} from {display_path(bundle.ENTRY)}")
    return EXIT_OK


if __name__ == "__main__":
    run(main)
