"""Which threads are already doing engine work, so nested work runs inline.

The engine's pools name their threads ``zarrcore-decode-*`` / ``zarrcore-region-*``; a
caller thread that takes its share of a read's tasks (:func:`zarrcore.fetch._run_all`)
marks itself with :func:`engine_work` for that time. Work started from such a thread
(a shard's inner chunks, a chunk's blosc blocks) runs inline instead of fanning out to a
pool again: the read is already spread over every core, and a thread waiting on its own
pool could deadlock or only add hand-offs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

ENGINE_THREAD_PREFIXES = ("zarrcore-decode", "zarrcore-region")

_state = threading.local()


def on_engine_thread(prefixes: tuple[str, ...] = ENGINE_THREAD_PREFIXES) -> bool:
    """True on an engine pool thread (names starting with ``prefixes``) or on a caller
    thread inside :func:`engine_work`."""
    if getattr(_state, "depth", 0) > 0:
        return True
    return threading.current_thread().name.startswith(prefixes)


@contextmanager
def engine_work() -> Iterator[None]:
    """Mark the current thread as doing engine work (re-entrant)."""
    _state.depth = getattr(_state, "depth", 0) + 1
    try:
        yield
    finally:
        _state.depth -= 1
