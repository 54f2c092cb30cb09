"""Small in-process caches, one set per database engine (so per app, and per test app).

Only what can never go stale is kept without a time limit: data derived from a lesson version
(versions are immutable: a change makes a new row), looked up by the version's id. Such a cache
is bounded (least recently used entries go first) and lives in one worker's memory, which is
safe because any worker or host that misses simply computes the same value again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from threading import Lock
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary

import cachetools
from sqlalchemy import Engine
from sqlalchemy.orm import Session

Value = TypeVar("Value")

_CACHES: WeakKeyDictionary[Engine, dict[str, LRUCache]] = WeakKeyDictionary()
_REGISTRY_LOCK = Lock()


class LRUCache(Generic[Value]):
    """A mapping of at most ``size`` entries that forgets the least recently used first
    (cachetools' LRUCache), behind a lock: gunicorn's sync workers run one request at a time,
    but the development server and threaded workers do not."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: cachetools.LRUCache[Hashable, Value] = cachetools.LRUCache(size)
        self._lock = Lock()

    def get(self, key: Hashable) -> Value | None:
        """The value kept for ``key``, or None."""
        with self._lock:
            return self._entries.get(key)

    def put(self, key: Hashable, value: Value) -> Value:
        """Keep ``value`` for ``key`` (forgetting the oldest entry when full); answers it."""
        with self._lock:
            self._entries[key] = value
        return value

    def get_or_make(self, key: Hashable, make: Callable[[], Value]) -> Value:
        """The value kept for ``key``, made (and kept) when there is none."""
        value = self.get(key)
        return value if value is not None else self.put(key, make())

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def cache_for(session: Session, name: str, size: int) -> LRUCache:
    """The cache called ``name`` of the session's database engine, made on first use."""
    engine = session.get_bind()
    if not isinstance(engine, Engine):  # bound to a connection: use its engine
        engine = engine.engine
    with _REGISTRY_LOCK:
        caches = _CACHES.setdefault(engine, {})
        if name not in caches:
            caches[name] = LRUCache(size)
        return caches[name]
