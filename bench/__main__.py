"""Benchmarks (`make bench`): decode speed against the peers, fetch throughput, sync throughput, pipeline cost.

Scope: see bench/decode.py, bench/fetch.py, bench/export.py, bench/sync.py and bench/pipeline.py. It prints a
table and writes `reports/bench.json` with the machine, the Python version and the medians. Timing never decides
a test: this is not part of `make test`.

Options: `--quick` skips timing `make test` and `make contract` (about two minutes); `--decode-only` measures
decoding alone; `--sync-only` the history sync alone (and writes no report); `--flaky-only` measures
`currents-api flaky` over a million test rows alone (bench/flaky.py); `--shape NAME` decodes only that
shape (repeatable); `--runs N` sets the number of timed runs of each measurement; `--tests N` the tests per
instance (5,000).

Exit status: 0 once the results are written; 2 if a step cannot run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import decode, export, fetch, flaky, pipeline, sync
from bench.payloads import SHAPES
from bench.peers import generate_peers
from kit._cli import EXIT_OK, ROOT, display_path, run

REPORT = ROOT / "reports" / "bench.json"


def machine() -> dict[str, Any]:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = next(
            (
                line.split(":", 1)[1].strip()
                for line in cpuinfo.read_text().splitlines()
                if line.startswith("model name")
            ),
            "",
        )
    return {
        "platform": platform.platform(),
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
    }


def table(results: dict[str, Any]) -> list[str]:
    lines = ["", "Decode (median; ratio to json.loads and to pydantic; peak memory and its ratio to json.loads)"]
    for shape, data in results["decode"].items():
        size = f"{data['tests']} tests x {data['attempts_per_test']} attempts" if "tests" in data else ""
        lines.append(f"  {shape} ({data['about']}): {size + ', ' if size else ''}{data['json_megabytes']} MB")
        for name, row in data["decoders"].items():
            lines.append(
                f"    {name:<31} {row['median_seconds'] * 1000:8.1f} ms   {row['x_json_loads']:5.2f}x json.loads"
                f"   {row['x_pydantic']:5.2f}x pydantic   {row['peak_megabytes']:7.1f} MB peak"
                f" ({row['peak_x_json_loads']:.2f}x)"
            )
        lines.append("    where the client's time goes (cProfile, own time):")
        lines += [
            f"      {entry['own_share'] * 100:5.1f}%  {entry['calls']:>7} calls  {entry['function']}"
            for entry in data["client_profile"][:6]
        ]
    if results.get("msgspec_note"):
        lines.append(f"    msgspec: {results['msgspec_note']}")
    if "fetch" not in results:
        return lines
    fetched = results["fetch"]
    lines += [
        "",
        f"Fetch ({fetched['requests']} instances from the mock, {fetched['concurrency']} at a time; median)",
        f"    client {fetched['instances_per_second']['client']:8.1f} /s   httpx + json.loads "
        f"{fetched['instances_per_second']['httpx']:8.1f} /s   client/httpx {fetched['client_x_httpx_throughput']:.2f}",
    ]
    exported = results["export"]
    peaks, streaming = exported["peak_megabytes"], exported["streaming_peak_megabytes"]
    lines += [
        "",
        f"Export (a run of {exported['instances']} instances from the mock, "
        f"{exported['concurrency']} at a time; median)",
        f"    export {exported['instances_per_second']['export']:8.1f} /s   httpx + json.loads "
        f"{exported['instances_per_second']['httpx']:8.1f} /s   "
        f"export/httpx {exported['export_x_httpx_throughput']:.2f}",
        "    peak traced memory: "
        + ", ".join(f"{size} instances {mb} MB" for size, mb in peaks.items())
        + f" ({exported['peak_large_x_small']}x); while streaming: "
        + ", ".join(f"{mb} MB" for mb in streaming.values())
        + f" ({exported['streaming_peak_large_x_small']}x); peak RSS: "
        + ", ".join(f"{mb} MB" for mb in exported["peak_rss_megabytes"].values())
        + f" ({exported['peak_rss_large_x_small']}x)",
    ]
    lines += sync_table(results["sync"])
    if "flaky" in results:
        lines += flaky.lines(results["flaky"])
    lines += ["", "Pipeline (wall time)"]
    for key, value in results["pipeline"].items():
        if key == "slowest_tests":
            lines += ["    five slowest tests:"] + [f"      {t['seconds']:6.2f} s  {t['test']}" for t in value]
        else:
            lines.append(f"    {key.removesuffix('_seconds').replace('_', '-'):<16} {value:7.2f} s")
    return lines


def sync_table(synced: dict[str, Any]) -> list[str]:
    return [
        "",
        f"Sync (a project of {synced['instances']} instances from the mock into a new DuckDB store, "
        f"{synced['concurrency']} at a time; median)",
        f"    sync {synced['instances_per_second']['sync']:8.1f} /s   httpx + json.loads "
        f"{synced['instances_per_second']['httpx']:8.1f} /s   sync/httpx {synced['sync_x_httpx_throughput']:.2f}",
        "    peak traced memory: "
        + ", ".join(f"{size} instances {mb} MB" for size, mb in synced["peak_megabytes"].items())
        + f" ({synced['peak_large_x_small']}x); peak RSS: "
        + ", ".join(f"{mb} MB" for mb in synced["peak_rss_megabytes"].values())
        + f" ({synced['peak_rss_large_x_small']}x)",
    ]


def readme_table(results: dict[str, Any]) -> list[str]:
    """The README's decode table: each decoder's CPU time as a multiple of `json.loads`, per shape."""
    shapes = results["decode"]
    names = list(next(iter(shapes.values()))["decoders"])
    lines = [
        "| decode, CPU time as a multiple of `json.loads` | " + " | ".join(shapes) + " |",
        "|---|" + "---|" * len(shapes),
        "| JSON size | " + " | ".join(f"{data['json_megabytes']} MB" for data in shapes.values()) + " |",
    ]
    for name in names:
        cells = [f"{data['decoders'][name]['x_json_loads']:.2f}" for data in shapes.values()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append(
        "| client, as a multiple of pydantic | "
        + " | ".join(f"{data['decoders']['client']['x_pydantic']:.2f}" for data in shapes.values())
        + " |"
    )
    for name in ("client", "pydantic"):
        lines.append(
            f"| {name}'s peak memory, as a multiple of `json.loads`'s | "
            + " | ".join(f"{data['decoders'][name]['peak_x_json_loads']:.2f}" for data in shapes.values())
            + " |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip timing make test and make contract")
    parser.add_argument("--decode-only", action="store_true", help="measure decoding only (no fetch, no pipeline)")
    parser.add_argument("--sync-only", action="store_true", help="measure `currents-api sync` only")
    parser.add_argument("--flaky-only", action="store_true", help="measure currents-api flaky only")
    parser.add_argument("--shape", action="append", choices=list(SHAPES), help="decode only this shape (repeatable)")
    parser.add_argument("--tests", type=int, default=5000, help="tests per instance (3 attempts each)")
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each measurement")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine()}
    if args.sync_only:
        print("bench: sync ...", flush=True)
        results["sync"] = sync.run(args.runs, size=1000, small=100, concurrency=16)
        print("\n".join(sync_table(results["sync"])))
    if args.flaky_only:
        print("bench: flaky ...", flush=True)
        results["flaky"] = flaky.run(args.runs)
        print("\n".join(flaky.lines(results["flaky"])))
        return EXIT_OK
    with tempfile.TemporaryDirectory(prefix="bench-peers-") as folder:
        print("bench: generating the pydantic and msgspec peers ...", flush=True)
        peers = generate_peers(Path(folder))
        print("bench: decode ...", flush=True)
        results["decode"] = decode.run(peers, args.runs, tests=args.tests, attempts=3, shapes=args.shape)
    results["msgspec_note"] = (
        f"the Instance union cannot be expressed ({peers.msgspec_union_error}); measured on the variant's Struct"
        if peers.msgspec_union_error
        else ""
    )
    if not args.decode_only:
        print("bench: fetch ...", flush=True)
        results["fetch"] = fetch.run(args.runs, requests=200, concurrency=16)
        print("bench: export ...", flush=True)
        results["export"] = export.run(args.runs, size=1000, small=100, concurrency=16)
        print("bench: sync ...", flush=True)
        results["sync"] = sync.run(args.runs, size=1000, small=100, concurrency=16)
        print("bench: flaky ...", flush=True)
        results["flaky"] = flaky.run(args.runs)
        print("bench: pipeline ...", flush=True)
        results["pipeline"] = pipeline.run(runs=3, whole=not args.quick)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print("\n".join(table(results)))
    print("\nThe README's decode table:\n" + "\n".join(readme_table(results)))
    print(f"\nbench: written to {display_path(REPORT)}")
    return EXIT_OK


if __name__ == "__main__":
    run(main)
