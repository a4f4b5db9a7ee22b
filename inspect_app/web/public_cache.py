"""Two small per-process caches of the public page (``/q/<token>``), each bounded.

* :class:`TtlCache`: the finished page of a label (status, body, ETag) for a few seconds
  (``PUBLIC_PAGE_CACHE_SECONDS``, default 5; 0 turns it off). Shoppers at one stall scan the
  same scale within seconds of each other; the second scan costs no query. A change (a
  condemnation, a new inspection) shows at most that many seconds later, on top of the
  ``max-age=60`` every browser and proxy may already keep the page for.
* :func:`memoised`: the rendering, keyed on everything the page shows (the instrument's public
  data, its latest inspection, the day, the language). Exact, never stale: it skips the template
  work (Jinja and two dozen translations, most of a page's cost) when a label is read again and
  nothing changed.

Both live on the app (``app.extensions``), so apps built side by side (tests) never share.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import Flask

V = TypeVar("V")

#: Labels (× languages) kept; a page is about 2.5 KB, so about 10 MB per worker at most.
SIZE = 4096


class TtlCache:
    """A least-recently-used map whose entries expire ``seconds`` after they were stored."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, seconds: float, make: Callable[[], V]) -> V:
        """The stored value if younger than ``seconds``, else ``make()`` (stored when > 0)."""
        if seconds <= 0:
            return make()
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > now:
                self._entries.move_to_end(key)
                value: V = entry[1]
                return value
        value = make()  # outside the lock: a slow query must not hold up the other threads
        with self._lock:
            self._entries[key] = (now + seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def page_cache(app: Flask) -> TtlCache:
    cache = app.extensions.get("public_page_cache")
    if cache is None:
        cache = app.extensions["public_page_cache"] = TtlCache()
    assert isinstance(cache, TtlCache)
    return cache


def memoised(app: Flask, render: Callable[..., V]) -> Callable[..., V]:
    """``render`` memoised for this app (not while templates reload, as in debug mode)."""
    memo: Callable[..., V] | None = app.extensions.get("public_page_memo")
    if memo is None:
        memo = render if app.jinja_env.auto_reload else functools.lru_cache(maxsize=SIZE)(render)
        app.extensions["public_page_memo"] = memo
    return memo
