"""`iterate` and `aiterate` of every operation the spec marks with `x-currents-pagination` (found in the bundled
spec, not listed by hand) walk a loopback server through several pages, and hand out the items of the last page,
the one with `has_more: false` or `nextPage: false`, too. The pages are built from the spec's own example of each
listing: its first item, copied with a cursor and an id of its own."""

from __future__ import annotations

import asyncio
import copy
import importlib
import inspect
import itertools
import json
import pkgutil
import re
from dataclasses import dataclass
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs

import currents_api_client.api
import pytest
from currents_api_client import AuthenticatedClient

from scripts.spec.pagination import PAGINATION
from scripts.spec.sources import GENERATED
from tests.client.conftest import API_KEY, ScriptedServer
from tests.client.scripted_api import Reply

DOCUMENT: dict[str, Any] = json.loads((GENERATED / "openapi.json").read_text(encoding="utf-8"))
PER_PAGE = 2
MAX_TAKEN = 100  # a walk that does not end by itself fails the test instead of hanging it


def resolved(node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = DOCUMENT
        for token in node["$ref"].removeprefix("#/").split("/"):
            target = target[token]
        node = target
    return node


@dataclass(frozen=True)
class Listing:
    """A paginated operation as the spec describes it."""

    operation_id: str
    module: ModuleType
    style: str
    items: list[str]  # the dotted path of the items in the body, split
    position: str  # the query parameter that moves through the pages
    item_id: str | None
    example: dict[str, Any]  # the spec's example 200 body

    def item(self, page: int, index: int) -> dict[str, Any]:
        parent: Any = self.example
        for segment in self.items:
            parent = parent[segment]
        item: dict[str, Any] = copy.deepcopy(parent[0])
        if self.style == "cursor":
            item["cursor"] = f"cursor-{page}-{index}"
        if self.item_id:
            item[self.item_id] = f"id-{page}-{index}"
        return item

    def page(self, page: int, pages: int) -> Reply:
        body = copy.deepcopy(self.example)
        parent = body
        for segment in self.items[:-1]:
            parent = parent[segment]
        parent[self.items[-1]] = [self.item(page, i) for i in range(PER_PAGE)]
        last = page == pages - 1
        if self.style == "cursor":
            body["has_more"] = not last
        else:
            parent["nextPage"] = False if last else page + 1
            parent["total"] = pages * PER_PAGE
        return Reply(200, body)


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def paginated_listings() -> list[Listing]:
    listings = []
    for item in DOCUMENT["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict) or PAGINATION not in operation:
                continue
            extension = operation[PAGINATION]
            module = importlib.import_module(
                f"currents_api_client.api.{operation['tags'][0].replace('-', '_')}.{snake(operation['operationId'])}"
            )
            content = resolved(operation["responses"]["200"])["content"]["application/json"]
            example = resolved(next(iter(content["examples"].values())))["value"]
            cursor = extension["style"] == "cursor"
            position = extension["cursor-parameter"] if cursor else extension["page-parameter"]
            items = extension["items"].split(".")
            listings.append(
                Listing(operation["operationId"], module, extension["style"], items, position,
                        extension.get("item-id"), example)
            )  # fmt: skip
    return listings


LISTINGS = {listing.operation_id: listing for listing in paginated_listings()}


def required_arguments(function: Any) -> tuple[list[str], dict[str, str]]:
    """Values for the arguments of `function` that have no default, but the client."""
    positional: list[str] = []
    keywords: dict[str, str] = {}
    for name, parameter in inspect.signature(function).parameters.items():
        if parameter.default is not inspect.Parameter.empty or name == "client":
            continue
        value = "2026-03-01" if "date" in name else "Qx7Lm2"
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            keywords[name] = value
        else:
            positional.append(value)
    return positional, keywords


def walk(server: ScriptedServer, listing: Listing, mode: str) -> list[Any]:
    positional, keywords = required_arguments(listing.module.iterate)
    with AuthenticatedClient(token=API_KEY, base_url=server.base_url, max_retries=0) as client:
        if mode == "sync":
            walked = listing.module.iterate(*positional, client=client, **keywords)
            return list(itertools.islice(walked, MAX_TAKEN))

        async def collect() -> list[Any]:
            taken = []
            async for item in listing.module.aiterate(*positional, client=client, **keywords):
                taken.append(item)
                if len(taken) == MAX_TAKEN:
                    break
            return taken

        return asyncio.run(collect())


def test_the_spec_marks_several_listings_and_they_are_exactly_the_modules_with_iterate() -> None:
    with_iterate = {
        module.name.rsplit(".", 1)[1]
        for module in pkgutil.walk_packages(currents_api_client.api.__path__, "currents_api_client.api.")
        if hasattr(importlib.import_module(module.name), "iterate")
    }
    assert len(LISTINGS) >= 5
    assert with_iterate == {snake(operation_id) for operation_id in LISTINGS}
    assert {listing.style for listing in LISTINGS.values()} == {"cursor", "offset"}


@pytest.mark.parametrize("pages", [1, 3])
@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("operation_id", sorted(LISTINGS))
def test_iterate_hands_out_every_item_of_every_page_including_the_last(
    server: ScriptedServer, operation_id: str, mode: str, pages: int
) -> None:
    listing = LISTINGS[operation_id]
    server.api.script(*(listing.page(page, pages) for page in range(pages)))
    walked = walk(server, listing, mode)
    expected = [listing.item(page, i) for page in range(pages) for i in range(PER_PAGE)]
    if listing.style == "cursor":
        assert [item.cursor for item in walked] == [item["cursor"] for item in expected]
    if listing.item_id:
        assert [item.to_dict()[listing.item_id] for item in walked] == [item[listing.item_id] for item in expected]
    assert len(walked) == pages * PER_PAGE
    sent = [parse_qs(request.query).get(listing.position) for request in server.api.received]
    if listing.style == "cursor":
        assert sent == [None] + [[f"cursor-{page}-{PER_PAGE - 1}"] for page in range(pages - 1)]
    else:
        assert sent == [[str(page)] for page in range(pages)]
