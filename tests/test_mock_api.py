"""Tests for contract_tests/mock_api: the real mock under uvicorn on loopback, spoken to over HTTP.

Every response an httpx client gets in these tests is checked by a response hook: never 5xx,
and its body validates against the spec's schema for its status (InstanceResponse for 200,
ErrorResponse otherwise). Raw-socket tests cover what httpx cannot send (HTTP/1.0, raw bytes).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from contract_tests.mock_api.app import FORBIDDEN, INSTANCE_NOT_FOUND, UNAUTHORIZED, create_app
from contract_tests.mock_api.corpus import SEED_EXAMPLES, seed_bodies
from contract_tests.mock_api.keys import ALL_PROJECTS, KEYS_FILE, load_keys
from contract_tests.mock_api.server import base_url as base_url_of
from contract_tests.mock_api.server import bind, make_server, serve_in_thread, wait_until_ready
from kit.bundle import bundle
from kit.fixtures import Fixture, load_fixtures
from scripts.spec.schema_validation import component_validator

SPEC = bundle()
SEEDS = seed_bodies(SPEC)
FIXTURES = load_fixtures()
KEYS = load_keys(KEYS_FILE)
DEMO_KEY = next(k.value for k in KEYS.keys if ALL_PROJECTS in k.projects)
LIMITED_KEY = next(k.value for k in KEYS.keys if k.projects == frozenset({"Prj7Qa"}))
EXTRA_KEY = "test-extra-key-0123456789"
VALIDATORS = {200: component_validator(SPEC, "InstanceResponse")}
ERROR_VALIDATOR = component_validator(SPEC, "ErrorResponse")
SEED_ID = SEEDS["CypressInstance"]["data"]["instanceId"]
UNKNOWN_ID = "0000-no-such-instance"
REQUEST_TIMEOUT = 5.0


def check_response(response: httpx.Response) -> None:
    """The hook on every response: no 5xx, and a body valid for its status."""
    response.read()
    assert response.status_code < 500, f"{response.request.method} {response.request.url}: {response.status_code}"
    if response.request.method == "HEAD":
        assert response.content == b""
        return
    assert response.headers["content-type"] == "application/json"
    validator = VALIDATORS.get(response.status_code, ERROR_VALIDATOR)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(response.json())]
    assert not errors, f"{response.status_code} body violates the spec: {errors}"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve_in_thread(create_app(extra_key=EXTRA_KEY)) as url:
        yield url


@pytest.fixture(scope="module")
def client(base_url: str) -> Iterator[httpx.Client]:
    hooks: dict[str, list[Any]] = {"response": [check_response]}
    with httpx.Client(base_url=base_url, timeout=REQUEST_TIMEOUT, event_hooks=hooks) as c:
        yield c


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def send_target(client: httpx.Client, target: bytes, method: str = "GET", key: str = DEMO_KEY) -> httpx.Response:
    """Send `target` as the request target exactly, bypassing httpx's URL normalisation."""
    return client.request(method, "/", headers=bearer(key), extensions={"target": target})


def raw_exchange(base_url: str, request: bytes) -> bytes:
    """Send raw bytes on a fresh connection; return the status line of the answer."""
    parts = urlsplit(base_url)
    assert parts.hostname is not None and parts.port is not None
    with socket.create_connection((parts.hostname, parts.port), timeout=REQUEST_TIMEOUT) as sock:
        sock.sendall(request)
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0]


# 200: the seeds and every fixture


@pytest.mark.parametrize("example", SEED_EXAMPLES)
def test_seed_ids_answer_with_the_seed_payloads(client: httpx.Client, example: str) -> None:
    body = SEEDS[example]
    response = client.get(f"/instances/{body['data']['instanceId']}", headers=bearer(DEMO_KEY))
    assert response.status_code == 200
    assert response.json() == body


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_every_fixture_is_served_byte_identical_to_its_file(client: httpx.Client, fixture: Fixture) -> None:
    response = client.get(f"/instances/{fixture.instance_id}", headers=bearer(DEMO_KEY))
    assert response.status_code == 200
    assert response.content == fixture.path.read_bytes()


def test_extra_key_reads_every_fixture_and_seed(client: httpx.Client) -> None:
    ids = [f.instance_id for f in FIXTURES] + [b["data"]["instanceId"] for b in SEEDS.values()]
    statuses = {i: client.get(f"/instances/{i}", headers=bearer(EXTRA_KEY)).status_code for i in ids}
    assert set(statuses.values()) == {200}, statuses


def test_bearer_scheme_is_case_insensitive_and_blanks_around_the_key_are_ignored(client: httpx.Client) -> None:
    response = client.get(f"/instances/{SEED_ID}", headers={"Authorization": f"bearer   {DEMO_KEY}"})
    assert response.status_code == 200


def test_a_percent_encoded_route_matches_like_its_decoded_path(client: httpx.Client) -> None:
    encoded_id = "".join(f"%{byte:02X}" for byte in SEED_ID.encode())
    assert send_target(client, f"/v1/%69nstances/{encoded_id}".encode()).status_code == 200


def test_the_query_string_is_ignored(client: httpx.Client) -> None:
    assert client.get(f"/instances/{SEED_ID}?x=%2F&y", headers=bearer(DEMO_KEY)).status_code == 200


def test_a_request_body_on_get_is_ignored_and_the_connection_stays_usable(client: httpx.Client) -> None:
    for _ in range(2):
        response = client.request("GET", f"/instances/{SEED_ID}", headers=bearer(DEMO_KEY), content=b"x" * 200_000)
        assert response.status_code == 200


def test_a_multipart_content_type_without_boundary_is_ignored(client: httpx.Client) -> None:
    headers = {**bearer(DEMO_KEY), "Content-Type": "multipart/form-data"}
    assert client.request("GET", f"/instances/{SEED_ID}", headers=headers, content=b"--x\r\n").status_code == 200


# 401: authentication comes first


def test_missing_authorization_is_401_with_www_authenticate(client: httpx.Client) -> None:
    response = client.get(f"/instances/{SEED_ID}")
    assert response.status_code == 401
    assert response.json() == {"status": "FAILED", "error": "Invalid API key provided"}
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "Bearer",
        DEMO_KEY,
        f"Basic {DEMO_KEY}",
        f"Token {DEMO_KEY}",
        f"Bearer {DEMO_KEY} extra",
        f"Bearer\t{DEMO_KEY}",
        f"BearerX {DEMO_KEY}",
    ],
    ids=["empty", "scheme-only", "no-scheme", "basic", "token", "two-words", "tab", "bad-scheme"],
)
def test_malformed_authorization_is_401(client: httpx.Client, value: str) -> None:
    assert client.get(f"/instances/{SEED_ID}", headers={"Authorization": value}).status_code == 401


@pytest.mark.parametrize("key", ["unknown-key", DEMO_KEY[:-1], DEMO_KEY + "x", DEMO_KEY.upper(), "\u00e9"])
def test_unknown_key_is_401(client: httpx.Client, key: str) -> None:
    headers = [(b"Authorization", f"Bearer {key}".encode())]
    assert client.get(f"/instances/{SEED_ID}", headers=headers).status_code == 401


def test_two_authorization_headers_are_401_even_if_one_is_valid(client: httpx.Client) -> None:
    headers = [("Authorization", f"Bearer {DEMO_KEY}"), ("Authorization", f"Bearer {LIMITED_KEY}")]
    assert client.get(f"/instances/{SEED_ID}", headers=headers).status_code == 401


@pytest.mark.parametrize(("method", "path"), [("GET", "/nowhere"), ("POST", f"/instances/{SEED_ID}"), ("GET", "/")])
def test_unauthenticated_requests_learn_nothing_about_routes_or_methods(
    client: httpx.Client, method: str, path: str
) -> None:
    assert client.request(method, path).status_code == 401


# 403 and 404


def test_limited_key_is_403_on_another_projects_instance(client: httpx.Client) -> None:
    other = next(f for f in FIXTURES if f.project_id == "Prj9Zb")
    response = client.get(f"/instances/{other.instance_id}", headers=bearer(LIMITED_KEY))
    assert response.status_code == 403
    assert response.json() == {"status": "FAILED", "error": "Insufficient permissions to access this instance"}


def test_limited_key_reads_its_own_project(client: httpx.Client) -> None:
    own = next(f for f in FIXTURES if f.project_id == "Prj7Qa")
    assert client.get(f"/instances/{own.instance_id}", headers=bearer(LIMITED_KEY)).status_code == 200


def test_unknown_id_is_404_instance_not_found(client: httpx.Client) -> None:
    response = client.get(f"/instances/{UNKNOWN_ID}", headers=bearer(DEMO_KEY))
    assert response.status_code == 404
    assert response.json() == {"status": "FAILED", "error": "Instance not found"}


@pytest.mark.parametrize(
    "target",
    [b"/", b"/v1", b"/v1/instances", b"/v1/instances/", b"/v2/instances/x", b"/v1/instances/x/y", b"*"],
)
def test_other_paths_are_404_not_found(client: httpx.Client, target: bytes) -> None:
    response = send_target(client, target)
    assert response.status_code == 404
    assert response.json() == {"status": "FAILED", "error": "Not found"}


def test_an_encoded_slash_stays_inside_the_id(client: httpx.Client) -> None:
    inside = send_target(client, f"/v1/instances/{SEED_ID}%2F".encode())
    assert (inside.status_code, inside.json()["error"]) == (404, "Instance not found")
    split = send_target(client, b"/v1/instances%2F" + SEED_ID.encode())
    assert (split.status_code, split.json()["error"]) == (404, "Not found")


# 405


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS", "TRACE", "QUERY", "POST", "PUT", "PATCH", "DELETE", "BREW"])
@pytest.mark.parametrize("instance_id", [SEED_ID, UNKNOWN_ID], ids=["seed", "unknown"])
def test_undeclared_methods_are_405_with_allow_get(client: httpx.Client, method: str, instance_id: str) -> None:
    response = client.request(method, f"/instances/{instance_id}", headers=bearer(DEMO_KEY))
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    if method != "HEAD":
        assert response.json() == {"status": "FAILED", "error": "Method not allowed"}


# Never 5xx

NASTY_IDS = [
    "%00",
    "%0D%0A",
    "%07%1A%1B%7F",
    "a%0D%0ASet-Cookie:%20x=1",
    "%2F",
    "a%2Fb",
    "%2F..%2F..%2Fetc%2Fpasswd",
    "x" * 5000,
    "%FF%FE",
    "%C3%28",
    "%ED%A0%80",
    "%F4%90%80%80",
    "%C0%AF",
    "%",
    "%zz",
    "%E2%82",
    "..",
    "%2E%2E",
    ".",
    "%F0%9F%92%A9%20%5C%22%27%3C%3E",
    "%20item",
    "null%2Cnull",
]
NASTY_TARGETS = [f"/v1/instances/{nasty}".encode() for nasty in NASTY_IDS] + [
    b"/v1/instances/../instances/x",
    b"/v1/../v1/instances/" + SEED_ID.encode(),
    b"//v1//instances//x",
    b"/v1/schemathesis-probe%5C%1B%01",
    b"/" + b"a/" * 2000,
]


@pytest.mark.parametrize("target", NASTY_TARGETS, ids=[t.decode()[:40] for t in NASTY_TARGETS])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_nasty_paths_never_get_a_server_error(client: httpx.Client, target: bytes, method: str) -> None:
    assert send_target(client, target, method).status_code in {404, 405}


def test_weird_headers_never_get_a_server_error(client: httpx.Client) -> None:
    headers = [
        (b"Authorization", f"Bearer {DEMO_KEY}".encode()),
        (b"X-Latin", b"\xe9\xff"),
        (b"Content-Type", b"application/json; charset=\x80"),
        (b"Accept", b"*/*, text/\x7f"),
        (b"X-Long", b"y" * 8000),
    ]
    assert client.get(f"/instances/{SEED_ID}", headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("request_text", "status"),
    [
        (f"GET /v1/instances/{SEED_ID} HTTP/1.0\r\nAuthorization: Bearer {DEMO_KEY}\r\n\r\n", b"200"),
        (f"GET /v1/instances/%FF%C3 HTTP/1.0\r\nAuthorization: Bearer {DEMO_KEY}\r\n\r\n", b"404"),
        (f"GET /v1/instances/x HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer {DEMO_KEY}\xe9\r\n\r\n", b"401"),
        (f"GET /v1/instances/{SEED_ID} HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer \r\n\r\n", b"401"),
        ("GET /v1/instances/\xff\xfe HTTP/1.1\r\nHost: a\r\n\r\n", b"400"),  # uvicorn refuses it before the app
    ],
    ids=["http-1.0", "http-1.0-invalid-utf8-id", "latin-1-key", "empty-key", "raw-non-ascii-target"],
)
def test_raw_requests_never_get_a_server_error(base_url: str, request_text: str, status: bytes) -> None:
    assert raw_exchange(base_url, request_text.encode("latin-1")).split(b" ")[1] == status


# The socket


def test_connections_the_mock_accepts_have_tcp_nodelay_set() -> None:
    """Without TCP_NODELAY each keep-alive response waits for a delayed ACK (about 40 ms a request)."""
    sock = bind("127.0.0.1", 0)
    server = make_server(create_app(), "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        wait_until_ready(server, thread, sock)
        with httpx.Client(base_url=base_url_of(sock), timeout=REQUEST_TIMEOUT) as keep_alive:
            assert keep_alive.get(f"/instances/{SEED_ID}", headers=bearer(DEMO_KEY)).status_code == 200
            sockets = [c.transport.get_extra_info("socket") for c in server.server_state.connections]
            assert sockets, "the keep-alive connection is not open on the server"
            assert all(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for s in sockets)
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


def test_error_bodies_are_the_spec_examples() -> None:
    examples = SPEC["components"]["examples"]
    pairs = [
        (UNAUTHORIZED, "InvalidApiKey"),
        (FORBIDDEN, "InsufficientPermissions"),
        (INSTANCE_NOT_FOUND, "InstanceNotFound"),
    ]
    for reply, name in pairs:
        assert json.loads(bytes(reply.body)) == examples[name]["value"]
