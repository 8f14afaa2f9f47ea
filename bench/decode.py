"""Decode benchmark: the median time and the peak memory of turning a large instance's JSON into objects.

Measured for each runner's large instance (bench.payloads): `json.loads` alone (the floor), the generated
client (`json.loads` + `InstanceResponse.from_dict`), the same client from openapi-python-client's stock
templates, pydantic v2 (`model_validate_json`, its fastest path) on the response model with its Instance
union and on the runner's own model, and msgspec (its typed decoder, on the runner's own Struct: it cannot
express the union). Memory is measured in separate runs with
tracemalloc, so that it does not slow the timed ones.
"""

from __future__ import annotations

import gc
import json
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from currents_api_client.models import InstanceResponse

from bench.payloads import encoded, large_instance
from bench.peers import Peers

VARIANTS = {"playwright": "PlaywrightInstance", "cypress": "CypressInstance"}


def median_seconds(work: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_megabytes(work: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    result = work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return peak / 1e6


def decoders(raw: bytes, runner: str, peers: Peers) -> dict[str, Callable[[], Any]]:
    msgspec_decoder = peers.msgspec_decoder(VARIANTS[runner])
    variant_model = getattr(peers.pydantic, VARIANTS[runner])
    return {
        "json.loads": lambda: json.loads(raw),
        "client": lambda: InstanceResponse.from_dict(json.loads(raw)),
        "stock templates": lambda: peers.stock.InstanceResponse.from_dict(json.loads(raw)),
        "pydantic": lambda: peers.pydantic.InstanceResponse.model_validate_json(raw),
        "pydantic, runner given": lambda: variant_model.model_validate(json.loads(raw)["data"]),
        "msgspec, runner given": lambda: msgspec_decoder.decode(raw),
    }


def check_results(raw: bytes, runner: str, peers: Peers) -> None:
    """Every decoder must decode the instance as its runner before its time means anything."""
    assert type(InstanceResponse.from_dict(json.loads(raw)).data).__name__ == VARIANTS[runner]
    assert type(peers.pydantic.InstanceResponse.model_validate_json(raw).data.root).__name__ == VARIANTS[runner]
    assert type(peers.msgspec_decoder(VARIANTS[runner]).decode(raw).data).__name__ == VARIANTS[runner]
    assert type(peers.stock.InstanceResponse.from_dict(json.loads(raw)).data).__name__ == VARIANTS[runner]


def run(peers: Peers, runs: int, tests: int, attempts: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for runner in VARIANTS:
        raw = encoded(large_instance(runner, tests, attempts))
        check_results(raw, runner, peers)
        work = decoders(raw, runner, peers)
        seconds = {name: median_seconds(call, runs) for name, call in work.items()}
        memory = {name: peak_megabytes(call) for name, call in work.items()}
        floor, peer = seconds["json.loads"], seconds["pydantic"]
        results[runner] = {
            "json_megabytes": round(len(raw) / 1e6, 2),
            "tests": tests,
            "attempts_per_test": attempts,
            "decoders": {
                name: {
                    "median_seconds": round(seconds[name], 4),
                    "x_json_loads": round(seconds[name] / floor, 2),
                    "x_pydantic": round(seconds[name] / peer, 2),
                    "peak_megabytes": round(memory[name], 1),
                }
                for name in work
            },
        }
    return results
