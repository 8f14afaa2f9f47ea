"""Pagination as Currents documents it (`shared/reference/currents-docs/pagination.md`).

Cursor pagination (`cursor_page`): items are listed newest first. With neither cursor, the first `limit`
items. `starting_after=X` lists the items after X in that order (older ones), newest first;
`ending_before=X` lists the items before X (newer ones) in reverse, oldest first, starting next to X.
`has_more` says whether more items lie beyond the page in the direction walked. Refused with `BadRequest`
(400): both cursors at once (an empty one counts as absent), a `limit` outside 1 to `max_limit` (or not an
integer), and a cursor that
names no item of the listing (a deleted item's cursor included).

Offset pagination (`offset_page`): `items[page * limit : page * limit + limit]`, `total` the number of
items, and `nextPage` the next page number, or `false` once the items are exhausted.

Limits: the caller sorts and filters; a cursor is looked up in the unfiltered listing, so a cursor of an
item that a filter hides still positions the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from contract_tests.mock_api.rest import BadRequest, Query

T = TypeVar("T")
DEFAULT_LIMIT = 10
CURSOR_MAX_LENGTH = 200


@dataclass(frozen=True)
class CursorPage:
    items: list[Any]
    has_more: bool


def cursor_params(query: Query, max_limit: int) -> tuple[int, str | None, str | None]:
    """`limit`, `starting_after` and `ending_before`, checked."""
    starting_after = query.text("starting_after", CURSOR_MAX_LENGTH) or None  # an empty cursor is no cursor
    ending_before = query.text("ending_before", CURSOR_MAX_LENGTH) or None
    if starting_after is not None and ending_before is not None:
        raise BadRequest("Listing parameters are mutually exclusive: use only one of starting_after or ending_before")
    limit = query.integer("limit", DEFAULT_LIMIT, 1, max_limit)
    return limit, starting_after, ending_before


def cursor_page(
    query: Query,
    everything: Sequence[T],
    keep: Callable[[T], bool],
    cursor_of: Callable[[T], str],
    max_limit: int = 50,
) -> CursorPage:
    """One page of `everything` (sorted newest first), keeping the items `keep` accepts."""
    limit, starting_after, ending_before = cursor_params(query, max_limit)
    pointer = starting_after if starting_after is not None else ending_before
    if pointer is None:
        candidates = [item for item in everything if keep(item)]
    else:
        positions = [n for n, item in enumerate(everything) if cursor_of(item) == pointer]
        if not positions:
            raise BadRequest("Invalid cursor. No item has this cursor")
        at = positions[0]
        if starting_after is not None:
            candidates = [item for item in everything[at + 1 :] if keep(item)]
        else:
            candidates = [item for item in reversed(everything[:at]) if keep(item)]
    return CursorPage(items=candidates[:limit], has_more=len(candidates) > limit)


def offset_page(query: Query, items: Sequence[T], default_limit: int = 50, max_limit: int = 50) -> dict[str, Any]:
    """`{"list", "total", "nextPage"}` for one offset page of `items`."""
    limit = query.integer("limit", default_limit, 1, max_limit)
    page = query.integer("page", 0, 0)
    start = page * limit
    chosen = list(items[start : start + limit])
    more = start + limit < len(items)
    return {"list": chosen, "total": len(items), "nextPage": page + 1 if more else False}
