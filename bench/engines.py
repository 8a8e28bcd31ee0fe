"""The engines under test. Each one times exactly the operation a case names.

Operations:

- ``slice``: time ``arr[index]`` into a numpy array. Each engine opens the array once per
  case (not timed, like an application that keeps the array open while a slider moves)
  and every repetition reads a different frame, so no engine can answer from a cache of
  chunks filled by an earlier repetition (none of them caches decoded chunks by default).
- ``open_list``: time opening a consolidated hierarchy and listing every array in it.

zarrcore and zarr-python 2.18 run in this process; zarr-python 3 and tensorstore run in
long-lived reference workers (bench/ref/worker.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from bench.ref import synthetic
from bench.refclient import RefWorker


@dataclass(frozen=True)
class Measurement:
    seconds: float
    checksum: int
    #: CPU time of the whole process (all threads) during the timed part: on a loaded
    #: machine wall time includes waiting for a core, CPU time does not
    cpu_seconds: float | None = None


class Engine(Protocol):
    name: str

    def supports(self, op: str, zarr_format: int) -> bool: ...

    def run(self, op: str, path: str, index: int, zarr_format: int) -> Measurement: ...


def _timed_slice(arr: Any, index: int) -> Measurement:
    cpu = time.process_time()
    start = time.perf_counter()
    data = arr[index]
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    return Measurement(seconds, synthetic.checksum(np.asarray(data)), cpu)


class ZarrcoreEngine:
    name = "zarrcore"

    def __init__(self) -> None:
        import zarrcore

        self._zc: Any = zarrcore
        self._open: dict[str, Any] = {}

    @staticmethod
    def available() -> str | None:
        """None when the public API the bench needs exists, else why not."""
        try:
            import zarrcore
        except ImportError as exc:  # pragma: no cover - the package is in this repo
            return str(exc)
        missing = [n for n in ("open_array", "open_consolidated") if not hasattr(zarrcore, n)]
        return f"zarrcore lacks {', '.join(missing)}" if missing else None

    def supports(self, op: str, zarr_format: int) -> bool:
        return True

    def _count_arrays(self, group: Any) -> int:
        count = 0
        for _name, node in group.members():
            if hasattr(node, "members"):
                count += self._count_arrays(node)
            else:
                count += 1
        return count

    def run(self, op: str, path: str, index: int, zarr_format: int) -> Measurement:
        if op == "slice":
            if path not in self._open:
                self._open[path] = self._zc.open_array(path, mode="r")
            return _timed_slice(self._open[path], index)
        if op == "open_list":
            cpu = time.process_time()
            start = time.perf_counter()
            count = self._count_arrays(self._zc.open_consolidated(path))
            seconds = time.perf_counter() - start
            return Measurement(seconds, count, time.process_time() - cpu)
        raise ValueError(op)


class Zarr2Engine:
    name = "zarr-python 2.18"

    def __init__(self) -> None:
        import zarr

        self._zarr: Any = zarr
        self._open: dict[str, Any] = {}

    def supports(self, op: str, zarr_format: int) -> bool:
        return zarr_format == 2

    def _count_arrays(self, group: Any) -> int:
        count = sum(1 for _ in group.array_keys())
        for _name, child in group.groups():
            count += self._count_arrays(child)
        return count

    def run(self, op: str, path: str, index: int, zarr_format: int) -> Measurement:
        if op == "slice":
            if path not in self._open:
                self._open[path] = self._zarr.open_array(path, mode="r")
            return _timed_slice(self._open[path], index)
        if op == "open_list":
            cpu = time.process_time()
            start = time.perf_counter()
            count = self._count_arrays(self._zarr.open_consolidated(path, mode="r"))
            seconds = time.perf_counter() - start
            return Measurement(seconds, count, time.process_time() - cpu)
        raise ValueError(op)


class RefEngine:
    """zarr-python 3 or tensorstore, in a reference worker of its own."""

    def __init__(self, name: str, engine_id: str, worker: RefWorker) -> None:
        self.name = name
        self._engine_id = engine_id
        self._worker = worker

    def supports(self, op: str, zarr_format: int) -> bool:
        if self._engine_id == "tensorstore":
            return op == "slice"  # tensorstore has no hierarchy / consolidated API
        return True

    def run(self, op: str, path: str, index: int, zarr_format: int) -> Measurement:
        reply = self._worker.call(
            op=op, engine=self._engine_id, path=path, index=index, zarr_format=zarr_format
        )
        return Measurement(
            float(reply["seconds"]), int(reply["checksum"]), reply.get("cpu_seconds")
        )
