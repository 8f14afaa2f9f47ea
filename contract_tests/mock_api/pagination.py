"""Pagination as Currents documents it (`shared/reference/currents-docs/pagination.md`).

Cursor pagination (`cursor_page`): items are listed newest first. With neither cursor, the first `limit`
items. `starting_after=X` lists the items after X in that order (older ones), newest first;
`ending_before=X` lists the items before X (newer ones) in reverse, oldest first, starting next to X.
`has_more` says whether more items lie beyond the page in the direction walked. A cursor that names no item
of the listing (a deleted item's cursor included) is `errors.Invalid` (400). The page asked for is a
`CursorParams`; `resources.params.cursor_params` reads it from the query and refuses (400) both cursors at once
(an empty one counts as absent) and a `limit` outside 1 to the listing's maximum (or not an integer).

Offset pagination (`offset_page`): `items[page * limit : page * limit + limit]`, `total` the number of
items, and `nextPage` the next page number, or `false` once the items are exhausted (`OffsetParams`, read by
`resources.params.offset_params`).

Limits: the caller sorts and filters; a cursor is looked up in the unfiltered listing, so a cursor of an
item that a filter hides still positions the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from contract_tests.mock_api.errors import Invalid

T = TypeVar("T")


@dataclass(frozen=True)
class CursorPage:
    items: list[Any]
    has_more: bool


@dataclass(frozen=True)
class CursorParams:
    """The page of a cursor listing asked for: at most `limit` items after or before a cursor, or the first."""

    limit: int
    starting_after: str | None
    ending_before: str | None


@dataclass(frozen=True)
class OffsetParams:
    limit: int
    page: int


def cursor_page(
    params: CursorParams, everything: Sequence[T], keep: Callable[[T], bool], cursor_of: Callable[[T], str]
) -> CursorPage:
    """One page of `everything` (sorted newest first), keeping the items `keep` accepts."""
    limit, starting_after, ending_before = params.limit, params.starting_after, params.ending_before
    pointer = starting_after if starting_after is not None else ending_before
    if pointer is None:
        candidates = [item for item in everything if keep(item)]
    else:
        positions = [n for n, item in enumerate(everything) if cursor_of(item) == pointer]
        if not positions:
            raise Invalid("Invalid cursor. No item has this cursor")
        at = positions[0]
        if starting_after is not None:
            candidates = [item for item in everything[at + 1 :] if keep(item)]
        else:
            candidates = [item for item in reversed(everything[:at]) if keep(item)]
    return CursorPage(items=candidates[:limit], has_more=len(candidates) > limit)


def offset_page(params: OffsetParams, items: Sequence[T]) -> dict[str, Any]:
    """`{"list", "total", "nextPage"}` for one offset page of `items`."""
    limit, page = params.limit, params.page
    start = page * limit
    chosen = list(items[start : start + limit])
    more = start + limit < len(items)
    return {"list": chosen, "total": len(items), "nextPage": page + 1 if more else False}
