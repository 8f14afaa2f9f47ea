"""The two schemathesis runs of `make contract`: their config, command line and budget, and their output scrubbed.

Scope: `run_schemathesis(specs, target, scratch)` runs `st run` twice (the examples, coverage and fuzzing
phases, then the stateful phase) with `schemathesis.toml` and the spec's per-operation tables, live mode's
changes made (`live_config`) and its bound (`live_budget`). Its output is scrubbed of the key on its way to the
terminal (`pump`), and its reports are written to a private folder and copied into reports/ scrubbed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

from kit._cli import ROOT, UserError, display_path
from kit.scrub import Scrubber
from scripts.contract import CONFIG, REPORTS
from scripts.contract.registry import write_config
from scripts.contract.target import Target, env

# Live mode's bound on schemathesis: at most CONTRACT_RATE_LIMIT requests a second (default 4) for
# CONTRACT_MAX_TIME seconds in all (default 120, shared by its two runs), with few examples per operation.
LIVE_RATE_LIMIT = 4
LIVE_MAX_TIME = 120
LIVE_MAX_EXAMPLES = 5


LIVE_CONFIG_CHANGES = {
    # No undeclared methods at all: the document live mode checks lacks the write operations, so even an
    # OPTIONS probe would find an `Allow` that lists more than the document declares.
    "[phases.coverage]\n": "unexpected-methods = []\n",
    # Only the spec's links: an inferred link could carry a run of another project to a write operation.
    "[phases.stateful]\n": "inference.algorithms = []\nlink-calibration = false\n",
}
UNEXPECTED_METHODS = re.compile(r"^unexpected-methods = .*\n", re.MULTILINE)


def live_config() -> str:
    """schemathesis.toml's text for live mode, with `LIVE_CONFIG_CHANGES` made in its tables."""
    text = UNEXPECTED_METHODS.sub("", CONFIG.read_text(encoding="utf-8"))
    for table, lines in LIVE_CONFIG_CHANGES.items():
        if text.count(table) != 1:
            raise UserError(f"{display_path(CONFIG)}: expected one {table.strip()} table")
        text = text.replace(table, table + lines)
    return text


def run_config(spec: Path, target: Target, suffix: str) -> Path:
    """The config of one `st run` under reports/: schemathesis.toml (live mode's changes made), with the
    per-operation tables that the `x-currents-contract` markers of `spec` ask for (scripts/contract/registry.py)."""
    base = live_config() if target.mode == "live" else CONFIG.read_text(encoding="utf-8")
    document = json.loads(spec.read_text(encoding="utf-8"))
    return write_config(base, document, REPORTS / f"schemathesis.{target.mode}{suffix}.toml")


def report_names(suffix: str) -> tuple[str, str, str]:
    """The JUnit, HTML and JSON reports of one `st run` under reports/ (`suffix` tells the stateful run's)."""
    return f"junit{suffix}.xml", f"html{suffix}", f"schemathesis{suffix}.json"


def schemathesis_command(
    spec: Path, target: Target, phases: str, private: Path, har: Path, suffix: str = ""
) -> list[str]:
    """The `st run` command line for `phases` of `spec` (never the key: it is in the environment). Its
    reports go to the `private` folder, to be copied into reports/ scrubbed (`run_schemathesis`)."""
    config = run_config(spec, target, suffix)
    junit, html, run_report = report_names(suffix)
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run", str(spec)]
    command += ["--url", target.base_url, "--phases", phases, "--output-truncate", "false"]
    command += ["--report", "har", "--report-har-path", str(har)]
    command += ["--report-junit-path", str(private / junit), "--report-html-path", str(private / html)]
    command += ["--report-json-path", str(private / run_report)]
    examples = positive_integer("CONTRACT_MAX_EXAMPLES", LIVE_MAX_EXAMPLES if target.mode == "live" else 0)
    if examples:
        command += ["--max-examples", str(examples)]
    if target.mode == "live":
        # unsupported_method sends every undeclared method (DELETE, PUT, PATCH, ...) to every path: never
        # to the real API, where a DELETE on a run's path is not a probe.
        command += ["--exclude-checks", "unsupported_method"]
        rate, seconds = live_budget()
        command += ["--rate-limit", f"{rate}/s", "--max-time", str(max(1, seconds // 2))]
    return command


PHASES = ("examples", "coverage", "fuzzing", "stateful")


def contract_phases() -> list[str]:
    """The schemathesis phases to run: `CONTRACT_PHASES` (comma-separated), or all four."""
    text = env("CONTRACT_PHASES")
    if not text:
        return list(PHASES)
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [part for part in chosen if part not in PHASES]
    if unknown or not chosen:
        raise UserError(f"CONTRACT_PHASES must name phases among {', '.join(PHASES)}, not {text!r}")
    return chosen


def positive_integer(name: str, default: int) -> int:
    text = env(name)
    if not text:
        return default
    if not (text.isascii() and text.isdigit() and int(text) > 0):
        raise UserError(f"{name} must be a positive integer, not {text!r}")
    return int(text)


def live_budget() -> tuple[int, int]:
    """Live mode's rate (requests a second) and time budget (seconds) for schemathesis."""
    return positive_integer("CONTRACT_RATE_LIMIT", LIVE_RATE_LIMIT), positive_integer(
        "CONTRACT_MAX_TIME", LIVE_MAX_TIME
    )


def copy_scrubbed(source: Path, destination: Path, scrubber: Scrubber) -> None:
    """Copy a report file or folder with the key scrubbed from every file."""
    if source.is_dir():
        for path in sorted(source.rglob("*")):
            if path.is_file():
                copy_scrubbed(path, destination / path.relative_to(source), scrubber)
        return
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_bytes(scrubber.bytes(source.read_bytes()))


# schemathesis lists the links of the stateful phase it could not follow under this heading, even in a run that
# passes. With the walk document (`walk_document`) each one is a page that had no item to follow: a listing the
# walk's own deletes and resets emptied. Said under the heading, so that a passing run does not read as failed.
EXTRACTION_HEADING = b"Failed to extract data from response:"
STATEFUL_NOTE = (
    b"contract: not a failure: each link below found an empty page to follow (a listing the stateful walk's own "
    b"deletes and resets emptied); failures are listed as failures\n"
)


def report_line(line: bytes, scratch: Path | None) -> bytes:
    """schemathesis names its reports in the private folder, deleted once they are copied: name them in
    reports/, where they are. The HAR stays private (it only counts the requests), so its line says so."""
    if scratch is None or bytes(scratch) not in line:
        return line
    if b"HAR:" in line:
        return line.split(b"HAR:")[0] + b"HAR: not kept (it only counts the requests sent)\n"
    return line.replace(bytes(scratch), display_path(REPORTS).encode())


def pump(source: IO[bytes], sink: IO[bytes], scrubber: Scrubber, scratch: Path | None = None) -> None:
    """Copy `source` to `sink` line by line, scrubbed, as it comes (schemathesis's live progress); a note follows
    schemathesis's heading of the links it could not follow (`STATEFUL_NOTE`), and its report paths are named
    where the reports are kept (`report_line`)."""
    for line in iter(source.readline, b""):
        sink.write(scrubber.bytes(report_line(line, scratch)))
        if line.strip() == EXTRACTION_HEADING:
            sink.write(STATEFUL_NOTE)
        sink.flush()


def run_scrubbed(
    command: list[str], environment: dict[str, str], scrubber: Scrubber, scratch: Path | None = None
) -> int:
    """Run `command` with its standard output and error scrubbed on their way to ours."""
    process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    errors = threading.Thread(target=pump, args=(process.stderr, sys.stderr.buffer, scrubber), daemon=True)
    errors.start()
    try:
        pump(process.stdout, sys.stdout.buffer, scrubber, scratch)
        status = process.wait()
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait()
        errors.join()
    return status


def run_schemathesis(specs: tuple[Path, Path], target: Target, scratch: Path) -> tuple[int, int]:
    """Run the examples, coverage and fuzzing phases, then the stateful phase; return the worse exit status
    and how many requests schemathesis sent (counted from its HAR reports, kept out of reports/).

    A server may echo the key into a body that schemathesis prints or reports, so its output is scrubbed on
    the way to the terminal, and its reports are written to the private `scratch` folder and copied into
    reports/ scrubbed. Responses are printed untruncated, so no cut leaves part of a key."""
    environment = {**os.environ, "CONTRACT_API_KEY": target.api_key}
    scrubber = target.scrubber
    statuses, sent = [], 0
    chosen = contract_phases()
    first = ",".join(phase for phase in PHASES if phase != "stateful" and phase in chosen)
    runs = [(specs[0], first, "")] if first else []
    if "stateful" in chosen:
        runs.append((specs[1], "stateful", "-stateful"))
    for n, (spec, phases, suffix) in enumerate(runs):
        har = scratch / f"requests-{n}.har"
        command = schemathesis_command(spec, target, phases, scratch, har, suffix)
        shown = " ".join(command[command.index("run") : command.index("--output-truncate")])
        config = command[command.index("--config-file") + 1]
        print(f"contract: st {shown} (config {display_path(Path(config))})", flush=True)
        statuses.append(run_scrubbed(command, environment, scrubber, scratch))
        sent += har_requests(har)
        for name in report_names(suffix):
            destination = REPORTS / name
            if destination.is_dir():
                shutil.rmtree(destination)
            elif destination.exists():
                destination.unlink()
            if (scratch / name).exists():
                copy_scrubbed(scratch / name, destination, scrubber)
    return max(statuses), sent


def har_requests(har: Path) -> int:
    """How many requests a HAR file records (0 when schemathesis wrote none)."""
    try:
        return len(json.loads(har.read_text(encoding="utf-8"))["log"]["entries"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0
