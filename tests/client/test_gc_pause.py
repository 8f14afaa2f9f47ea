"""The collector pause of the decode path (`types.gc_paused`, `types.decode`): the client parses and decodes a body
with the cyclic garbage collector paused, and always leaves the collector as the application had it, after a
success, a decode error or any other exception, with threads and with async tasks. These tests prove the state,
never the speed (that is `make bench`)."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
from currents_api_client import AuthenticatedClient, errors
from currents_api_client.api.instances import get_instance
from currents_api_client.models import CypressInstance, InstanceResponse, Platform, PlaywrightInstance
from currents_api_client.types import decode, gc_paused

from kit.fixtures import Fixture, load_fixtures
from tests.client.conftest import API_KEY, ScriptedServer
from tests.client.scripted_api import Reply
from tests.support import seed_body


class Spy:
    """Replaces `InstanceResponse.from_dict`: records whether the collector was enabled during each call, and
    raises `error` instead of decoding when one is set."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.collector_enabled: list[bool] = []
        self.error = error
        self.lock = threading.Lock()

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        original: Callable[[Mapping[str, Any]], InstanceResponse] = InstanceResponse.from_dict

        def from_dict(cls: type[InstanceResponse], src_dict: Mapping[str, Any]) -> InstanceResponse:
            with self.lock:
                self.collector_enabled.append(gc.isenabled())
            if self.error is not None:
                raise self.error
            return original(src_dict)

        monkeypatch.setattr(InstanceResponse, "from_dict", classmethod(from_dict))


@pytest.fixture
def collector() -> Iterator[None]:
    """Each test starts with the collector enabled, and gets back whatever state the session had."""
    was = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        (gc.enable if was else gc.disable)()


def client_for(server: ScriptedServer) -> AuthenticatedClient:
    return AuthenticatedClient(token=API_KEY, base_url=server.base_url, max_retries=0)


def test_sync_decodes_with_the_collector_paused_and_enables_it_again(
    collector: None, server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy()
    spy.install(monkeypatch)
    server.api.script(Reply(200, seed_body("playwright-instance")))
    with client_for(server) as client:
        result = get_instance.sync("2tniK8lM9j1rSoVh", client=client)
    assert isinstance(result.data, PlaywrightInstance)
    assert spy.collector_enabled == [False]
    assert gc.isenabled()


def test_detailed_call_decodes_with_the_collector_paused_and_enables_it_again(
    collector: None, server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy()
    spy.install(monkeypatch)
    server.api.script(Reply(200, seed_body("cypress-instance")))
    with client_for(server) as client:
        response = get_instance.sync_detailed("bf89e79f", client=client)
    assert isinstance(response.parsed, InstanceResponse)
    assert spy.collector_enabled == [False]
    assert gc.isenabled()


@pytest.mark.parametrize(
    "body",
    [{"status": "OK", "data": {"instanceId": 7}}, b"{not json", b"[]"],
    ids=["fits-no-variant", "not-json", "not-an-object"],
)
def test_collector_is_enabled_again_after_a_decode_error(
    collector: None, server: ScriptedServer, body: dict[str, Any] | bytes
) -> None:
    server.api.script(Reply(200, body, {"content-type": "application/json"}))
    with client_for(server) as client:
        with pytest.raises(errors.InvalidResponseError):
            get_instance.sync("x", client=client)
        assert gc.isenabled()
        assert get_instance.sync_detailed("x", client=client).parsed is None
    assert gc.isenabled()


def test_collector_is_enabled_again_after_an_exception_in_decoding(
    collector: None, server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy(error=RuntimeError("a failure that is not a decode error"))
    spy.install(monkeypatch)
    server.api.script(Reply(200, seed_body("playwright-instance")))
    with client_for(server) as client:
        with pytest.raises(RuntimeError, match="not a decode error"):
            get_instance.sync("2tniK8lM9j1rSoVh", client=client)
    assert spy.collector_enabled == [False]
    assert gc.isenabled()


def test_collector_the_application_disabled_stays_disabled(
    collector: None, server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    gc.disable()
    server.api.script(Reply(200, seed_body("playwright-instance")), Reply(200, b"{not json"))
    with client_for(server) as client:
        get_instance.sync("2tniK8lM9j1rSoVh", client=client)
        assert not gc.isenabled()
        with pytest.raises(errors.InvalidResponseError):
            get_instance.sync("2tniK8lM9j1rSoVh", client=client)
    assert not gc.isenabled()
    with pytest.raises(KeyError):
        decode(InstanceResponse, b"{}")
    assert not gc.isenabled()


def test_overlapping_pauses_keep_the_collector_paused_until_the_last_one_ends(collector: None) -> None:
    first_entered, second_done, release_first = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def first() -> None:
        with gc_paused():
            first_entered.set()
            release_first.wait(30)

    def second() -> None:
        first_entered.wait(30)
        with gc_paused():
            pass
        seen["after the second ended"] = gc.isenabled()
        second_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    try:
        assert second_done.wait(30)
        assert seen == {"after the second ended": False}
    finally:
        release_first.set()
        for thread in threads:
            thread.join(30)
    assert gc.isenabled()


def test_many_threads_decoding_at_once_always_decode_paused_and_leave_the_collector_enabled(
    collector: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy()
    spy.install(monkeypatch)
    raw = json.dumps(seed_body("cypress-instance")).encode()
    start = threading.Barrier(8)
    failures: list[BaseException] = []

    def work() -> None:
        try:
            start.wait(30)
            for _ in range(50):
                assert isinstance(decode(InstanceResponse, raw).data, CypressInstance)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert spy.collector_enabled == [False] * 400
    assert gc.isenabled()


def test_concurrent_async_fetches_decode_paused_and_leave_the_collector_enabled(
    collector: None, server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy()
    spy.install(monkeypatch)
    server.api.script(Reply(200, seed_body("playwright-instance"), delay=0.01))

    async def fetch_all() -> list[InstanceResponse]:
        async with client_for(server) as client:
            return await asyncio.gather(*(get_instance.asyncio(f"id{n}", client=client) for n in range(12)))

    results = asyncio.run(fetch_all())
    assert [type(r.data) for r in results] == [PlaywrightInstance] * 12
    assert spy.collector_enabled == [False] * 12
    assert gc.isenabled()


def test_from_dict_on_its_own_does_not_pause_the_collector(collector: None, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy()
    spy.install(monkeypatch)
    result = InstanceResponse.from_dict(seed_body("playwright-instance"))
    assert isinstance(result.data, PlaywrightInstance)
    assert spy.collector_enabled == [True]


@pytest.mark.parametrize("form", ["bytes", "str", "dict"])
def test_decode_takes_json_bytes_text_or_a_dict_and_pauses_the_collector(
    collector: None, monkeypatch: pytest.MonkeyPatch, form: str
) -> None:
    spy = Spy()
    spy.install(monkeypatch)
    body = seed_body("cypress-instance")
    forms: dict[str, bytes | str | dict[str, Any]] = {
        "bytes": json.dumps(body).encode(),
        "str": json.dumps(body),
        "dict": body,
    }
    given = forms[form]
    assert isinstance(decode(InstanceResponse, given).data, CypressInstance)
    assert spy.collector_enabled == [False]
    assert gc.isenabled()


def test_decode_raises_the_decode_errors_and_enables_the_collector_again(collector: None) -> None:
    with pytest.raises(json.JSONDecodeError):
        decode(InstanceResponse, b"{not json")
    assert gc.isenabled()
    with pytest.raises(errors.DECODE_ERRORS):
        decode(InstanceResponse, {"status": "OK", "data": []})
    assert gc.isenabled()
    with pytest.raises(errors.DecodeError, match="nests too deeply"):
        decode(InstanceResponse, b"[" * 200_000 + b"]" * 200_000)
    assert gc.isenabled()


def test_an_explicit_collection_still_works_during_the_pause(collector: None) -> None:
    class Node:
        def __init__(self) -> None:
            self.me = self

    with gc_paused():
        probe = weakref.ref(Node())
        assert probe() is not None
        gc.collect()
        assert probe() is None
    assert gc.isenabled()


@pytest.mark.parametrize("fixture", load_fixtures(), ids=lambda f: f.name)
def test_decoded_models_hold_no_reference_cycles(fixture: Fixture) -> None:
    """Nothing is lost by the pause: a decoded instance is freed by reference counting alone, without the
    collector, once the application drops it."""
    was = gc.isenabled()
    gc.disable()
    try:
        decoded = InstanceResponse.from_dict(json.loads(json.dumps(fixture.body)))
        probes: list[weakref.ref[Any]] = [weakref.ref(decoded), weakref.ref(decoded.data)]
        results = getattr(decoded.data, "results", None)
        if results is not None:
            probes.append(weakref.ref(results))
        del decoded, results
        assert [probe() for probe in probes] == [None] * len(probes)
    finally:
        if was:
            gc.enable()


def test_a_model_without_unknown_fields_keeps_no_emptied_copy_of_its_payload() -> None:
    """Each model's `additional_properties` is then a fresh empty dict, the smallest there is and one the collector
    does not track, not the copy of the payload that `from_dict` emptied field by field."""
    decoded = InstanceResponse.from_dict(seed_body("playwright-instance"))
    assert isinstance(decoded.data, PlaywrightInstance)
    assert isinstance(decoded.data.platform, Platform)
    models: list[InstanceResponse | PlaywrightInstance | Platform] = [decoded, decoded.data, decoded.data.platform]
    for model in models:
        assert model.additional_properties == {}
        assert sys.getsizeof(model.additional_properties) == sys.getsizeof({})
        assert not gc.is_tracked(model.additional_properties)
    models[0].additional_properties["added"] = 1
    assert models[1].additional_properties == {}


def test_unknown_fields_are_still_kept() -> None:
    body = seed_body("playwright-instance")
    body["data"]["futureField"] = {"nested": [1]}
    assert InstanceResponse.from_dict(body).data.additional_properties == {"futureField": {"nested": [1]}}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")
def test_a_forked_child_gets_the_collector_back_when_its_pause_stayed_in_the_parent(collector: None) -> None:
    entered, release = threading.Event(), threading.Event()

    def hold_a_pause() -> None:
        with gc_paused():
            entered.set()
            release.wait(30)

    holder = threading.Thread(target=hold_a_pause)
    holder.start()
    try:
        assert entered.wait(30)
        assert not gc.isenabled()
        child = os.fork()
        if child == 0:  # the child: only this thread exists here, and it holds no pause
            os._exit(0 if gc.isenabled() else 1)
        _, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert not gc.isenabled()  # the parent's pause is still open
    finally:
        release.set()
        holder.join(30)
    assert gc.isenabled()
