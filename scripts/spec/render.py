"""Render a complete `generated/` tree with the pinned openapi-python-client, the templates and ruff.

Scope: the client document is written as the bundled `openapi.json` and handed to openapi-python-client with
`generator/config.yaml` and the templates in `generator/templates/`. The templates also see the package
metadata (`package`), the spec's `info` (`spec_info`), each operation's `x-` keys (`operation_extensions`:
openapi-python-client hands the templates no extensions, so they are given here, by the python name of the
operationId), the reader's types (`reader_models`, `scripts/spec/reader_types.py`) and the body of `.runner`
(`runner_properties`, `scripts/spec/runners.py`). LICENSE and CHANGELOG.md are copied into the package, and
the pinned ruff (`python -m ruff` of this environment, never from PATH) fixes imports and formats the code.

Strict: any warning of the generator (a schema it cannot express, a dropped model) is an error. An exception
inside the generator or a template is a bug: one line naming the template line, or with `debug` its traceback.

Errors: `GenerationError`, one line.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

import jinja2
import pydantic
from openapi_python_client import Project
from openapi_python_client.config import Config, ConfigFile, MetaType
from openapi_python_client.parser import GeneratorData
from openapi_python_client.strings import PythonIdentifier

from kit import bundle
from kit import openapi as oas
from kit._cli import display_path
from scripts.spec import reader_types, runners
from scripts.spec.pagination import check_pagination
from scripts.spec.sources import (
    BUNDLED_NAME,
    CHANGELOG,
    CLIENT_OVERLAY,
    GENERATOR_CONFIG,
    LICENSE,
    PROJECT_NAME,
    TEMPLATES,
    GenerationError,
    client_document,
    package_metadata,
    spec_info,
)


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


def _one_line(text: str) -> str:
    """`text` on one line, with object reprs (`<x.Y object at 0x...>`) the generator leaks made readable."""
    return " ".join(_OBJECT_REPR.sub(r"<\1>", text).split())


_OBJECT_REPR = re.compile(r"<(?:[\w.]+\.)?(\w+) object at 0x[0-9a-fA-F]+>")


def operation_extensions(document: dict[str, Any], config: Config) -> dict[str, dict[str, Any]]:
    """Each operation's `x-` keys, by the python name the generator gives its operationId."""
    found = {}
    for _, _, operation in oas.operations(document):
        if "operationId" in operation:
            name = str(PythonIdentifier(operation["operationId"], config.field_prefix))
            found[name] = {key: value for key, value in operation.items() if key.startswith("x-")}
    return found


def _build_project(document: dict[str, Any], config: Config) -> Project:
    """openapi-python-client's Project, as its `generate()` builds it, with our metadata as template globals."""
    openapi = GeneratorData.from_dict(document, config=config)
    if not isinstance(openapi, GeneratorData):  # a GeneratorError: the document does not parse
        detail = _one_line(openapi.detail or "")
        header = _one_line(openapi.header)
        raise GenerationError(f"{display_path(bundle.ENTRY)}: openapi-python-client: {header}: {detail[:300]}")
    readers = reader_types.apply(
        openapi,
        reader_types.datetime_parameters(document, config.field_prefix),
        reader_types.delivered_schemas(document),
    )
    project = Project(openapi=openapi, config=config, custom_template_path=TEMPLATES)
    project.env.globals.update(
        reader_models=readers,
        runner_properties=runners.runner_properties(document, config.field_prefix),
        package=package_metadata(),
        spec_info=spec_info(document),
        operation_extensions=operation_extensions(document, config),
    )
    return project


def _run_openapi_python_client(
    document: dict[str, Any], document_path: Path, output: Path, debug: bool = False
) -> None:
    config = _generator_config(document_path, output)
    project = _build_project(document, config)
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # it prints "Generating <dir>"
            problems = project.build()
    except jinja2.TemplateSyntaxError as exc:
        name = exc.filename or exc.name or "a template"
        raise GenerationError(
            f"{display_path(Path(name))}:{exc.lineno}: template syntax error: {exc.message}"
        ) from None
    except Exception as exc:  # a bug in a template or in the generator: name the template line
        if debug:
            raise
        where = _template_frame(exc) or display_path(TEMPLATES)
        raise GenerationError(
            f"{where}: {type(exc).__name__}: {_one_line(str(exc).splitlines()[0]) if str(exc) else ''} "
            "(a bug in a template or the generator; `make generate DEBUG=1` shows the traceback)"
        ) from None
    if problems:  # warnings included: a schema the generator cannot express is an error here
        first = problems[0]
        detail = _one_line(first.detail or "")
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise GenerationError(
            f"{display_path(bundle.ENTRY)} (bundled, with {display_path(CLIENT_OVERLAY)}): openapi-python-client "
            f"{first.level.value.lower()}: {_one_line(first.header)}{': ' + detail[:300] if detail else ''}{more}"
        )


def _run_ruff(project: Path) -> None:
    for args in (["check", "--fix-only", "--quiet", "--no-cache", "."], ["format", "--quiet", "--no-cache", "."]):
        completed = subprocess.run(
            [sys.executable, "-m", "ruff", *args], cwd=project, capture_output=True, text=True, check=False
        )
        if completed.returncode != 0:
            message = (completed.stderr or completed.stdout).strip().splitlines()
            raise GenerationError(f"ruff {args[0]} failed on the generated code: {message[0] if message else '?'}")


def render(target: Path, debug: bool = False) -> None:
    """Render a complete `generated/` tree into `target`, which must not exist yet."""
    document = client_document()
    check_pagination(document)
    target.mkdir()
    document_path = target / BUNDLED_NAME
    document_path.write_text(bundle.dumps(document), encoding="utf-8")
    project = target / PROJECT_NAME
    _run_openapi_python_client(json.loads(document_path.read_text(encoding="utf-8")), document_path, project, debug)
    shutil.copyfile(LICENSE, project / "LICENSE")
    try:
        shutil.copyfile(CHANGELOG, project / CHANGELOG.name)
    except FileNotFoundError:
        raise GenerationError(f"{display_path(CHANGELOG)}: no such file") from None
    _run_ruff(project)
