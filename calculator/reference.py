"""Small reference tables kept in memory: editions, treatments and who may claim them,
trade measures, synonyms and the exchange rates already looked up.

Every process keeps its own copy, tagged with a version number kept in the Redis cache:
any change to these tables (loaders, admin) bumps the version, and each process reloads
on its next read. A read costs one cache round trip instead of several queries, which is
what keeps a calculation within a few milliseconds (bench/calculator_bench.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction

VERSION_KEY = "calculator:reference-version"
CHECK_EVERY = 1.0  # seconds: another process's change is seen within this delay
_state = threading.local()


def _data() -> dict[str, Any]:
    now = time.monotonic()
    if getattr(_state, "version", None) is None or now - _state.checked > CHECK_EVERY:
        version = cache.get(VERSION_KEY, 0)
        if getattr(_state, "version", None) != version:
            _state.version = version
            _state.data = {}
        _state.checked = now
    return _state.data


def memo(name: str, load: Callable[[], Any]) -> Any:
    data = _data()
    if name not in data:
        data[name] = load()
    return data[name]


def memo_item(name: str, key: Any, load: Callable[[], Any]) -> Any:
    table = memo(name, dict)
    if key not in table:
        table[key] = load()
    return table[key]


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, None)
    _state.version = None


def forget() -> None:
    """Forget the reference data now (every process re-reads it)."""
    _bump()


def clear() -> None:
    """Forget the reference data now and again when the transaction commits."""
    _bump()
    if connection.in_atomic_block:
        transaction.on_commit(_bump)
