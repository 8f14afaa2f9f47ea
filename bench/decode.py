"""Decode benchmark: the median time and the peak memory of turning a large response body into objects.

Measured on each shape of bench.payloads, with the garbage collector enabled, as an application has it:
- `json.loads` alone: the floor every ratio is taken against.
- `json.loads, collector paused`: the same floor with the collector paused like the client pauses it, to show
  how much of either side's time is the collector's.
- `pure-Python floor`: less than any pure-Python decoder can do, with the collector paused: `json.loads`, then
  as many bare one-slot objects as the body has JSON objects, made in a loop, without reading or checking
  anything. A decoder that builds an object per JSON object cannot beat it.
- `client`: what the client's operation (`get_instance`) does with a body: `types.decode`, which parses and runs
  `from_dict` with the collector paused.
- `client, via the operation`: the same through the operation's `sync`, over an in-process httpx transport (no
  socket).
- `client, collector running`: `from_dict(json.loads(...))` called directly, which does not pause the collector.
- `stock templates`: the same client from openapi-python-client's stock templates.
- `pydantic`: pydantic v2 (`model_validate_json`, its fastest path) on the response model with its Instance
  union, which validates the type of every field.
- `pydantic, runner given`: pydantic on the runner's own model, told the runner in advance (no union).
- `pydantic, runner given, paused`: the same, with the collector paused as the client pauses it: the closest
  like-for-like pydantic row (it still checks every type, the client checks the shape and the markers).
- `msgspec, runner given`: msgspec's typed decoder on the runner's own Struct (it cannot express the union);
  compiled, and it checks every type.

Times are the median CPU time of the process over the runs (the wall time is kept beside it), with a full
collection before each run. Memory is measured in separate runs with tracemalloc, so that it does not slow the
timed ones. One extra, profiled run of the client records where its time goes (`client_profile`).
"""

from __future__ import annotations

import cProfile
import gc
import importlib
import json
import pstats
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from currents_api_client import Client, models
from currents_api_client.types import decode, gc_paused

from bench.payloads import RUN_SPECS, SHAPES, Shape, encoded, large_instance
from bench.peers import Peers


@contextmanager
def collector_enabled() -> Iterator[None]:
    """Every measurement runs with the collector on, as in an application, whatever the caller had."""
    was = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not was:
            gc.disable()


def median_seconds(work: Callable[[], Any], runs: int) -> tuple[float, float]:
    """The median CPU time of the process and the median wall time of `runs` calls of `work`. The ratios use CPU
    time: on a shared machine, the time the process waits for a core is not decoding."""
    cpu, wall = [], []
    for _ in range(runs):
        gc.collect()
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        work()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start_wall)
    return statistics.median(cpu), statistics.median(wall)


def peak_megabytes(work: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    result = work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return peak / 1e6


class _Bare:
    __slots__ = ("fields",)

    def __init__(self, fields: Any) -> None:
        self.fields = fields


def _count_objects(value: Any) -> int:
    """How many JSON objects `value` holds, itself included."""
    if isinstance(value, dict):
        return 1 + sum(_count_objects(v) for v in value.values())
    if isinstance(value, list):
        return sum(_count_objects(v) for v in value)
    return 0


def in_process_client(raw: bytes) -> Client:
    """A client whose transport answers every request with `raw`, without a socket."""
    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, content=raw, headers={"content-type": "application/json"})
    )
    return Client(base_url="http://bench.invalid/v1", max_retries=0).set_httpx_client(
        httpx.Client(base_url="http://bench.invalid/v1", transport=transport)
    )


def decoders(raw: bytes, shape: Shape, peers: Peers, client: Client) -> dict[str, Callable[[], Any]]:
    response = getattr(models, shape.response)
    operation = importlib.import_module(f"currents_api_client.api.{shape.endpoint}")
    pydantic_response = getattr(peers.pydantic, shape.response)
    stock_response = getattr(peers.stock, shape.response)
    msgspec_decoder = peers.msgspec_decoder(shape.variant)
    variant_model = getattr(peers.pydantic, shape.variant)

    def json_loads_paused() -> Any:
        with gc_paused():
            return json.loads(raw)

    objects = range(_count_objects(json.loads(raw)))

    def pure_python_floor() -> Any:
        with gc_paused():
            parsed = json.loads(raw)
            return parsed, [_Bare(None) for _ in objects]

    def pydantic_runner_given_paused() -> Any:
        with gc_paused():
            return variant_model.model_validate(json.loads(raw)["data"])

    return {
        "json.loads": lambda: json.loads(raw),
        "json.loads, collector paused": json_loads_paused,
        "pure-Python floor": pure_python_floor,
        "client": lambda: decode(response, raw),
        "client, via the operation": lambda: operation.sync("bench", client=client),
        "client, collector running": lambda: response.from_dict(json.loads(raw)),
        "stock templates": lambda: stock_response.from_dict(json.loads(raw)),
        "pydantic": lambda: pydantic_response.model_validate_json(raw),
        "pydantic, runner given": lambda: variant_model.model_validate(json.loads(raw)["data"]),
        "pydantic, runner given, paused": pydantic_runner_given_paused,
        "msgspec, runner given": lambda: msgspec_decoder.decode(raw),
    }


def check_results(work: dict[str, Callable[[], Any]], shape: Shape) -> None:
    """Every decoder must decode the body as its runner's variant before its time means anything."""
    for name in ("client", "client, via the operation", "client, collector running", "stock templates"):
        decoded = work[name]()
        assert type(decoded).__name__ == shape.response, (name, type(decoded))
        assert type(decoded.data).__name__ == shape.variant, (name, type(decoded.data))
    assert type(work["pydantic"]().data.root).__name__ == shape.variant
    assert type(work["pydantic, runner given"]()).__name__ == shape.variant
    assert type(work["msgspec, runner given"]().data).__name__ == shape.variant


def profile(work: Callable[[], Any], top: int = 8) -> list[dict[str, Any]]:
    """Where one call of `work` spends its time: the `top` functions by own time (cProfile, collector on)."""
    profiler = cProfile.Profile()
    gc.collect()
    profiler.enable()
    work()
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in stats.values()) or 1.0
    rows = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:top]
    return [
        {
            "function": f"{Path(file).name}:{line}({name})" if line else name,
            "calls": entry[1],
            "own_share": round(entry[2] / total, 3),
        }
        for (file, line, name), entry in rows
    ]


def measure(raw: bytes, shape: Shape, peers: Peers, runs: int) -> dict[str, Any]:
    client = in_process_client(raw)
    with collector_enabled():
        work = decoders(raw, shape, peers, client)
        check_results(work, shape)
        timed = {name: median_seconds(call, runs) for name, call in work.items()}
        memory = {name: peak_megabytes(call) for name, call in work.items()}
        client_profile = profile(work["client"])
    seconds = {name: cpu for name, (cpu, _) in timed.items()}
    floor, peer = seconds["json.loads"], seconds["pydantic"]
    return {
        "decoders": {
            name: {
                "median_seconds": round(seconds[name], 4),
                "median_wall_seconds": round(timed[name][1], 4),
                "x_json_loads": round(seconds[name] / floor, 2),
                "x_pydantic": round(seconds[name] / peer, 2),
                "peak_megabytes": round(memory[name], 1),
                "peak_x_json_loads": round(memory[name] / memory["json.loads"], 2),
            }
            for name in work
        },
        "client_profile": client_profile,
    }


def run(peers: Peers, runs: int, tests: int, attempts: int, shapes: list[str] | None = None) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name, shape in SHAPES.items():
        if shapes and name not in shapes:
            continue
        print(f"bench: decode {name} ...", flush=True)
        raw = encoded(large_instance(name, tests, attempts))
        shape_runs = runs * 5 if shape.is_run else runs  # a run body is small: more runs for a stable median
        size = {"specs": RUN_SPECS} if shape.is_run else {"tests": tests, "attempts_per_test": attempts}
        results[name] = {
            "about": shape.about,
            "variant": shape.variant,
            "json_megabytes": round(len(raw) / 1e6, 2),
            **size,
            "objects_tracked_by_the_collector": len(gc.get_objects()),
            **measure(raw, shape, peers, shape_runs),
        }
    return results
