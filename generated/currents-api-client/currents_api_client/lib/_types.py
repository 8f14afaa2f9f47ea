# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
# Started from openapi-python-client 0.29.1's `types.py.jinja`; what it adds or changes: a readable repr of UNSET,
# what Response.parsed holds, a status code that may be outside HTTPStatus, path_segment, parse_datetime, PageWalk
# (the guard of the generated `iterate`/`aiterate`), and gc_paused and decode, the collector pause of the decode path.
"""Contains some shared types for properties"""

import datetime
import gc
import json
import os
import threading
import uuid
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager
from http import HTTPStatus
from typing import IO, Any, BinaryIO, Generic, Literal, Protocol, TypeVar
from urllib.parse import quote

from attrs import define

from ._errors import DecodeError, PaginationError


class Unset:
    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Unset = Unset()

# The types that `httpx.Client(files=)` can accept, copied from that library.
FileContent = IO[bytes] | bytes | str
FileTypes = (
    # (filename, file (or bytes), content_type)
    tuple[str | None, FileContent, str | None]
    # (filename, file (or bytes), content_type, headers)
    | tuple[str | None, FileContent, str | None, Mapping[str, str]]
)
RequestFiles = list[tuple[str, FileTypes]]


@define
class File:
    """Contains information for file uploads"""

    payload: BinaryIO
    file_name: str | None = None
    mime_type: str | None = None

    def to_tuple(self) -> FileTypes:
        """Return a tuple representation that httpx will accept for multipart/form-data"""
        return self.file_name, self.payload, self.mime_type


# The types the generator gives path parameters: strings (and str enums), numbers, booleans, UUIDs and dates.
_PATH_TYPES = (str, int, float, uuid.UUID, datetime.date)
# The longest path segment a call sends, percent-encoded; far beyond any id, far below httpx's 65,536-character URL.
MAX_PATH_SEGMENT = 4096


def path_segment(value: object, name: str = "path parameter") -> str:
    """`value` percent-encoded as exactly one path segment: `/`, `?` and `#` are encoded, and so are the dots of
    `.` and `..`, which URL normalisation would otherwise resolve into a different path.

    Raises, naming the argument `name`: TypeError for a value of no type a path parameter can have (None, a
    list); ValueError for an empty or blank value, or one longer than MAX_PATH_SEGMENT characters once encoded."""
    if not isinstance(value, _PATH_TYPES):
        expected = "a str" if name.endswith("_id") else "a str or a number"
        raise TypeError(f"{name} must be {expected}, not {type(value).__name__}")
    text = str(value)
    if not text.strip():
        raise ValueError(f"{name} must not be empty")
    segment = quote(text, safe="")
    if len(segment) > MAX_PATH_SEGMENT:
        raise ValueError(
            f"{name} is too long: {len(segment):,} characters once percent-encoded, at most {MAX_PATH_SEGMENT:,}"
        )
    return segment.replace(".", "%2E") if segment in (".", "..") else segment


def status_code(value: int) -> HTTPStatus | int:
    """`value` as an HTTPStatus, or as the int itself for a status HTTPStatus does not know (299, 522, 600)."""
    try:
        return HTTPStatus(value)
    except ValueError:
        return value


def parse_datetime(value: str) -> datetime.datetime:
    """An RFC 3339 `date-time` as a datetime. Beyond what `datetime.fromisoformat` takes, it accepts the lowercase
    `t` and `z` RFC 3339 allows. Fractions finer than microseconds are truncated; a leap second (`:60`) is refused.
    A value that is not a str raises DecodeError."""
    try:
        return datetime.datetime.fromisoformat(value)
    except TypeError:
        raise DecodeError(f"expected a date-time string, got {type(value).__name__}") from None
    except ValueError:
        if not isinstance(value, str) or value == value.upper():
            raise
        return datetime.datetime.fromisoformat(value.upper())


# The collector pause of the decode path. Decoding a large body allocates hundreds of thousands of containers,
# and each few hundred allocations trigger the cyclic garbage collector, which then walks the freshly built,
# still growing document again and again: on a 10 MB instance that is up to two fifths of the decode time. The
# decoded models hold no reference cycles, so the pause only postpones work: whatever became cyclic garbage
# meanwhile is collected by the first collection after it ends. Pauses are counted process-wide, not per task,
# so that the collector comes back when the last overlapping decode ends, not when the first one does, and only
# if it was enabled when the first one began. They are kept per thread only so that a forked child can forget
# the pauses of the threads it did not inherit.
_pause_lock = threading.RLock()  # reentrant: a signal handler may decode while its thread holds it
_pauses: dict[int, int] = {}  # thread id -> how many pauses that thread has open
_resume_collector = False  # whether the last pause to end enables the collector again


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the duration of the block, then restore it.

    The client parses and decodes every response body inside this block: on a large payload that saves up to
    two fifths of the time, which the collector would spend walking the objects being built again and again. Use it
    around your own `from_dict` of a large dict, or call `decode`.

    - The collector is restored in every case: after a success, an exception, or a decode error.
    - A collector the application had disabled (`gc.disable()`) stays disabled; an explicit `gc.collect()` still
      works during the pause.
    - It is safe with threads and async tasks: pauses are counted process-wide, and the collector resumes when
      the last open pause ends. Only code that allocates during someone else's decode runs without automatic
      collection for that long (about a tenth of a second per 10 MB of body).
    - An application that calls `gc.disable()` from another thread while a decode is in progress has the
      collector enabled again when that decode ends: disable it before decoding, or outside concurrent decodes.
    - Keep the block short and free of `await`: it is meant for one decode, not for a whole request.
    """
    global _resume_collector
    thread = threading.get_ident()
    with _pause_lock:
        if not _pauses:
            _resume_collector = gc.isenabled()
            gc.disable()
        _pauses[thread] = _pauses.get(thread, 0) + 1
    try:
        yield
    finally:
        with _pause_lock:
            left = _pauses.get(thread, 0) - 1
            if left > 0:
                _pauses[thread] = left
            else:
                _pauses.pop(thread, None)
            if not _pauses and _resume_collector:
                _resume_collector = False
                gc.enable()


def _after_fork_in_child() -> None:
    """A forked child keeps only the thread that forked: forget the pauses of the threads that did not come
    along (their blocks never end there), and resume the collector if nothing is paused any more."""
    global _pause_lock, _resume_collector
    _pause_lock = threading.RLock()
    thread = threading.get_ident()
    kept = _pauses.get(thread, 0)
    _pauses.clear()
    if kept:
        _pauses[thread] = kept
    elif _resume_collector:
        _resume_collector = False
        gc.enable()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


_Model_co = TypeVar("_Model_co", covariant=True)


class _FromDict(Protocol[_Model_co]):
    def from_dict(self, src_dict: Mapping[str, Any], /) -> _Model_co: ...


def decode(model: _FromDict[_Model_co], body: bytes | str | Mapping[str, Any]) -> _Model_co:
    """`body` as an instance of `model` (any model class of this package), decoded the way the client decodes a
    response: JSON text is parsed, and the parse and `model.from_dict` run with the collector paused (see
    `gc_paused`). `model.from_dict(dict)` itself works as ever, without the pause.

    Raises what `from_dict` raises on a payload that does not fit (`errors.DECODE_ERRORS`),
    `json.JSONDecodeError` (a ValueError) on text that is not JSON, and DecodeError on JSON nested too deeply to
    parse, as the client does.

    Example:
        `decode(InstanceResponse, pathlib.Path("instance.json").read_bytes()).data`
    """
    with gc_paused():
        if not isinstance(body, (bytes, bytearray, str)):
            return model.from_dict(body)
        try:
            parsed = json.loads(body)
        except RecursionError:
            raise DecodeError("the JSON nests too deeply to decode") from None
        return model.from_dict(parsed)


T = TypeVar("T")


# The most pages one `iterate`/`aiterate` asks for unless told otherwise: 10,000 pages, a million items at a
# limit of 100, far beyond any real listing, and a bound on a server that keeps handing out new positions.
DEFAULT_MAX_PAGES = 10_000


def _shown(value: object) -> str:
    """A server's value in an error message: its repr (no control characters), at most 80 characters."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class PageWalk:
    """The state of one walk over a paginated listing, as the generated `iterate` and `aiterate` take it.

    It counts the items still wanted (`max_items`) and the pages asked for (at most `max_pages`), and it
    remembers every cursor (or page number) asked for, every item's cursor and every item's id, so that a
    listing that does not advance ends with `errors.PaginationError` rather than a loop or duplicates. It raises
    before it hands out any item of a page that:

    - holds an item seen before, by its id (the operation's `item-id`) or by its cursor;
    - ends on a cursor already asked for;
    - says more follow (`has_more`, a `nextPage`) but holds no items;
    - names a `nextPage` that does not come after it, or that starts past `total` items;

    and it raises instead of asking for page `max_pages + 1` while the listing says more follow. The ids and
    cursors seen are kept for the whole walk: about 200 bytes per item.
    """

    def __init__(self, operation: str, max_items: int | None, max_pages: int | None = DEFAULT_MAX_PAGES) -> None:
        if max_items is not None and (not isinstance(max_items, int) or isinstance(max_items, bool)):
            raise TypeError(f"max_items must be an int or None, not {type(max_items).__name__}")
        if max_items is not None and max_items < 0:
            raise ValueError("max_items must be 0 or more")
        if max_pages is not None and (not isinstance(max_pages, int) or isinstance(max_pages, bool)):
            raise TypeError(f"max_pages must be an int or None, not {type(max_pages).__name__}")
        if max_pages is not None and max_pages < 1:
            raise ValueError(f"max_pages must be 1 or more (None: no limit), not {max_pages}")
        self.operation = operation
        self.remaining = max_items
        self.max_pages = max_pages
        self.pages = 0
        self._asked: set[object] = set()
        self._ids: set[object] = set()
        self._cursors: set[object] = set()

    @property
    def done(self) -> bool:
        """Whether `max_items` items were taken already."""
        return self.remaining == 0

    def _stop(self, reason: str) -> PaginationError:
        return PaginationError(f"{self.operation}: {reason}; the walk stops here")

    def _check_new(self, kind: str, values: Sequence[object] | None, *seen: set[object]) -> None:
        if values is None:
            return
        page: set[object] = set()
        for value in values:
            if value in page or any(value in earlier for earlier in seen):
                raise self._stop(
                    f"page {self.pages:,} of the walk lists the item with the {kind} {_shown(value)} again, so the "
                    "server repeats itself (or the listing changed during the walk)"
                )
            page.add(value)

    def take(
        self, items: Sequence[T], *, ids: Sequence[object] | None = None, cursors: Sequence[object] | None = None
    ) -> Sequence[T]:
        """The items of a page to hand out, within `max_items`, once none of them proved to be a repeat.

        `ids` and `cursors` are those of `items`, in the same order, where the listing has them."""
        self.pages += 1
        count = len(items) if self.remaining is None else min(len(items), self.remaining)
        taken_ids = None if ids is None else ids[:count]
        taken_cursors = None if cursors is None else cursors[:count]
        self._check_new("id", taken_ids, self._ids)
        self._check_new("cursor", taken_cursors, self._cursors, self._asked)
        self._ids.update(taken_ids or ())
        self._cursors.update(taken_cursors or ())
        if self.remaining is not None:
            self.remaining -= count
        return items[:count]

    def start(self, position: object) -> None:
        """Remember the cursor or page the walk starts from, if the caller gave one."""
        if not isinstance(position, Unset):
            self._asked.add(position)

    def _check_page_budget(self) -> None:
        if self.max_pages is not None and self.pages >= self.max_pages:
            raise self._stop(
                f"{self.pages:,} pages were listed (max_pages) and the listing says more follow; pass a larger "
                "max_pages, or None for no limit"
            )

    def next_cursor(self, has_more: bool, cursors: Sequence[str]) -> str | None:
        """The cursor of the next page (the last item's), or None when the listing is over or `max_items` were
        taken."""
        if not has_more or self.done:
            return None
        if not cursors:
            raise self._stop("a page said has_more but held no items")
        cursor = cursors[-1]
        if cursor in self._asked:
            raise self._stop(f"the cursor {_shown(cursor)} ended a page twice, so the next page would repeat")
        self._check_page_budget()
        self._asked.add(cursor)
        return cursor

    def next_page(self, page: int, next_page: int | bool, count: int, total: int | None = None) -> int | None:
        """The number of the next page (offset pagination), or None when `nextPage` is false or `max_items` were
        taken. `count` is the number of items on page `page`, and `total` the number the listing says it has
        (None: not checked)."""
        if next_page is False or self.done:
            return None
        if isinstance(next_page, bool) or next_page <= page or next_page in self._asked:
            raise self._stop(f"page {page} named nextPage {_shown(next_page)}, which does not come after it")
        if count == 0:
            raise self._stop(f"page {page} held no items but named a next page")
        # A page other than the last is a full one: page n starts at item n * count (`items.splice(page * limit)`).
        if total is not None and next_page * count >= total:
            raise self._stop(
                f"page {page} named nextPage {next_page}, which would start at item {next_page * count:,}, past "
                f"the {total:,} items the listing says it has"
            )
        self._check_page_budget()
        self._asked.add(next_page)
        return next_page


@define
class Response(Generic[T]):
    """A response from an endpoint: its status, headers and raw body, and the parsed body.

    `status_code` is an HTTPStatus, or a plain int for a status HTTPStatus does not know (299, 522, 600).
    `parsed` is the documented model of the body, or None when the status is undocumented or the
    body is not the documented JSON.
    """

    status_code: HTTPStatus | int
    content: bytes
    headers: MutableMapping[str, str]
    parsed: T | None


__all__ = [
    "DEFAULT_MAX_PAGES",
    "UNSET",
    "File",
    "FileTypes",
    "PageWalk",
    "RequestFiles",
    "Response",
    "Unset",
    "decode",
    "gc_paused",
    "parse_datetime",
    "path_segment",
    "status_code",
]
