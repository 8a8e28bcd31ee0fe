"""Coalesce bursts of requests: at most one in flight plus the latest pending one.

A slider drag asks for a frame on every tick. The first request is submitted at once; while
it runs, newer requests only replace the single pending one. When the running request
completes, its result is shown only if nothing newer was asked for meanwhile; otherwise it is
dropped and the pending request is submitted. The last request is therefore always served.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class LatestOnlyScheduler(Generic[T]):
    """``submit(item) -> request_id`` starts the work; call :meth:`complete` with each id."""

    def __init__(self, submit: Callable[[T], int]) -> None:
        self._submit = submit
        self._in_flight: int | None = None
        self._pending: T | None = None
        self._has_pending = False
        self.submitted = 0

    @property
    def busy(self) -> bool:
        return self._in_flight is not None or self._has_pending

    @property
    def in_flight(self) -> int | None:
        return self._in_flight

    def request(self, item: T) -> None:
        if self._in_flight is None:
            self._start(item)
        else:
            self._pending = item
            self._has_pending = True

    def complete(self, request_id: int) -> bool:
        """Mark ``request_id`` finished; True if its result should be shown."""
        if request_id != self._in_flight:
            return False  # a stale id (e.g. after reset)
        self._in_flight = None
        if self._has_pending:
            item = self._pending
            self._pending = None
            self._has_pending = False
            self._start(item)  # type: ignore[arg-type]
            return False
        return True

    def reset(self) -> None:
        """Forget everything (the viewer switched arrays): late results are then dropped."""
        self._in_flight = None
        self._pending = None
        self._has_pending = False

    def _start(self, item: T) -> None:
        self.submitted += 1
        self._in_flight = self._submit(item)
