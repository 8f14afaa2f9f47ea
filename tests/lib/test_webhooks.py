"""`webhooks.unwrap`: every valid delivery fixture decodes to its event class and every refused one is refused;
stale, future, missing and malformed timestamps, missing and wrong secrets, non-JSON and wrongly shaped bodies
are refused with one error type; seconds and milliseconds are told apart by magnitude; the secret is compared
with `hmac.compare_digest` and never appears in an error."""

from __future__ import annotations

import hmac
import json
import typing
from typing import Any

import pytest
from currents_api_client import CurrentsError, WebhookEvent, errors, models, webhooks
from currents_api_client.lib import webhooks as webhooks_module

from scripts.spec.payload_fixtures import PayloadFixture, load_delivery_fixtures, load_refused_delivery_fixtures

NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z
SECRET = "s3cr3t-\u00e9-value-0123456789"
HEADER = "X-Currents-Secret"
CLASSES = {
    "runStartDelivery": models.RunStartEvent,
    "runFinishDelivery": models.RunFinishEvent,
    "runTimeoutDelivery": models.RunTimeoutEvent,
    "runCanceledDelivery": models.RunCanceledEvent,
}
VALID = load_delivery_fixtures()
BODY = VALID[0].path.read_bytes()


def headers(timestamp: str = str(int(NOW)), secret: str | None = SECRET) -> dict[str, str]:
    sent = {"x-timestamp": timestamp}
    if secret is not None:
        sent[HEADER.lower()] = secret
    return sent


def unwrap(body: bytes = BODY, sent: Any = None, **options: Any) -> WebhookEvent:
    options = {"secret": SECRET, "secret_header": HEADER, "now": NOW, **options}
    return webhooks.unwrap(body, headers() if sent is None else sent, **options)


def refusal(body: bytes = BODY, sent: Any = None, **options: Any) -> errors.WebhookVerificationError:
    with pytest.raises(errors.WebhookVerificationError) as caught:
        unwrap(body, sent, **options)
    assert SECRET not in str(caught.value) and SECRET not in repr(caught.value)
    return caught.value


@pytest.mark.parametrize("fixture", VALID, ids=lambda f: f.name)
def test_each_valid_delivery_decodes_to_its_event_class(fixture: PayloadFixture) -> None:
    event = unwrap(fixture.path.read_bytes())
    assert type(event) is CLASSES[fixture.operation]
    assert event.to_dict() == fixture.body
    assert event.run_url == fixture.body["runUrl"] and event.failures == fixture.body["failures"]


def test_every_event_has_a_valid_delivery_and_the_union_names_each_class() -> None:
    assert {f.operation for f in VALID} == set(CLASSES)
    assert set(WebhookEvent.__args__) == set(CLASSES.values())


def test_a_multigroup_delivery_reads_its_group_and_tags_and_a_single_group_one_reads_none() -> None:
    by_name = {f.path.stem: f.path.read_bytes() for f in VALID}
    finished = unwrap(by_name["run-finish-multigroup"])
    started = unwrap(by_name["run-start-docs-example"])
    assert (finished.group_id, finished.tags) == ("firefox", ["nightly", "e2e"])
    assert (started.group_id, started.tags) == (None, None)


@pytest.mark.parametrize("fixture", load_refused_delivery_fixtures(), ids=lambda f: f.name)
def test_each_refused_delivery_is_refused_with_400(fixture: PayloadFixture) -> None:
    error = refusal(fixture.path.read_bytes())
    assert error.status_code == 400 and str(error).startswith("the body")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "the body is not JSON"),
        (b"\xff\xfe\x00", "the body is not JSON"),
        (b"[1, 2]", "the body is JSON list, not an object"),
        (b"[" * 100_000, "the body nests too deeply"),
        (json.dumps({**VALID[0].body, "commit": {"sha": 5}}).encode(), "commit.sha must be a string or null"),
    ],
    ids=["text", "not-utf8", "array", "deep", "commit-sha-number"],
)
def test_a_body_that_is_not_an_event_is_refused(body: bytes, reason: str) -> None:
    assert reason in str(refusal(body))


@pytest.mark.parametrize(
    ("timestamp", "reason"),
    [
        (str(int(NOW) - 301), "301 seconds in the past"),
        (str(int(NOW) + 301), "301 seconds in the future"),
        (str(int(NOW * 1000) - 400_000), "400 seconds in the past"),
        ("", "is not an epoch time"),
        ("soon", "is not an epoch time"),
        ("-5", "is not an epoch time"),
        ("1e9", "is not an epoch time"),
        ("nan", "is not an epoch time"),
    ],
)
def test_a_stale_future_or_malformed_timestamp_is_refused(timestamp: str, reason: str) -> None:
    error = refusal(sent=headers(timestamp))
    assert reason in str(error) and error.status_code == 400


def test_a_missing_timestamp_is_refused() -> None:
    assert "x-timestamp header is missing" in str(refusal(sent={HEADER: SECRET}))


@pytest.mark.parametrize(
    "timestamp", [str(int(NOW) - 300), str(int(NOW) + 300), str(int(NOW * 1000) + 299_000), f"{NOW - 1.5}"]
)
def test_seconds_and_milliseconds_within_the_tolerance_are_taken(timestamp: str) -> None:
    assert isinstance(unwrap(sent=headers(timestamp)), models.RunStartEvent)


def test_seconds_and_milliseconds_are_told_apart_by_magnitude() -> None:
    assert webhooks_module.parse_timestamp("99999999999") == 99_999_999_999  # the year 5138, in seconds
    assert webhooks_module.parse_timestamp("100000000000") == 100_000_000  # March 1973, in milliseconds
    assert webhooks_module.parse_timestamp(str(int(NOW * 1000))) == NOW


def test_the_tolerance_is_the_callers() -> None:
    sent = headers(str(int(NOW) - 3_600))
    assert "3600 seconds in the past" in str(refusal(sent=sent))
    assert isinstance(unwrap(sent=sent, tolerance=3_601), models.RunStartEvent)


@pytest.mark.parametrize(
    ("sent", "reason"),
    [
        (headers(secret=None), "the secret header X-Currents-Secret is missing"),
        (headers(secret=SECRET[:-1]), "does not match the secret"),
        (headers(secret=SECRET + "0"), "does not match the secret"),
        (headers(secret=""), "does not match the secret"),
        ([*headers().items(), (HEADER, SECRET)], "is sent 2 times"),
    ],
    ids=["missing", "shorter", "longer", "empty", "twice"],
)
def test_a_missing_or_wrong_secret_is_refused_with_401(sent: Any, reason: str) -> None:
    error = refusal(sent=sent)
    assert reason in str(error) and error.status_code == 401
    assert isinstance(error, CurrentsError)


def test_the_secret_is_checked_before_the_timestamp_and_the_body() -> None:
    error = refusal(b"not json", headers("soon", secret="wrong"))
    assert error.status_code == 401


def test_header_names_match_in_any_case() -> None:
    sent = {"X-TIMESTAMP": str(int(NOW)), "x-currents-SECRET": SECRET}
    assert isinstance(unwrap(sent=sent), models.RunStartEvent)


def test_secret_none_skips_the_secret_check_explicitly() -> None:
    assert isinstance(unwrap(sent=headers(secret=None), secret=None, secret_header=None), models.RunStartEvent)


def test_a_secret_without_its_header_or_an_empty_secret_is_a_usage_error() -> None:
    with pytest.raises(ValueError, match="secret_header"):
        unwrap(secret_header=None)
    with pytest.raises(ValueError, match="empty"):
        unwrap(secret="")


def test_the_secret_is_compared_with_hmac_compare_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []

    def refusing_spy(received: bytes, expected: bytes) -> bool:
        calls.append((received, expected))
        return False

    monkeypatch.setattr(hmac, "compare_digest", refusing_spy)
    # The right secret is refused when compare_digest says no: its answer, and nothing else, decides.
    error = refusal()
    assert "does not match" in str(error)
    assert calls == [(SECRET.encode(), SECRET.encode())]


def test_no_error_shows_the_value_sent_in_the_secret_header() -> None:
    near_miss = SECRET + "-sent-by-an-attacker"
    error = refusal(sent=headers(secret=near_miss))
    assert near_miss not in str(error) and near_miss not in repr(error)


def test_the_event_models_read_as_responses_do_without_unset() -> None:
    carrying = [
        f"{cls.__name__}.{name}"
        for cls in CLASSES.values()
        for name, hint in typing.get_type_hints(cls).items()
        if "Unset" in str(hint)
    ]
    assert carrying == []
    assert typing.get_type_hints(models.RunFinishEvent)["group_id"] == str | None
