"""The engines under test. Each one times exactly the operation a case names.

Operations:

- ``slice``: time ``arr[index]`` into a numpy array. Each engine opens the array once per
  case (not timed, like an application that keeps the array open while a slider moves)
  and every repetition reads a different frame, so no engine can answer from a cache of
  chunks filled by an earlier repetition (none of them caches decoded chunks by default).
- ``region``: time reading ``arr[index, y0:y1, x0:x1]``, one inner chunk's box of a frame
  (the box moves with the repetition). zarrcore reads through a counting store wrapper
  and reports how many store reads (whole values or byte ranges) the box cost.
- ``open_list``: time opening a consolidated hierarchy and listing every array in it.

zarrcore and zarr-python 2.18 run in this process; zarr-python 3 and tensorstore run in
long-lived reference workers (bench/ref/worker.py).
"""

from __future__ import annotations

import dataclasses
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
    #: store reads (whole values and byte ranges) the timed part made, where counted
    reads: int | None = None


#: (y0, y1, x0, x1) of a ``region`` read
Box = tuple[int, int, int, int]


class Engine(Protocol):
    name: str

    def supports(self, op: str, zarr_format: int) -> bool: ...

    def run(
        self, op: str, path: str, index: int, zarr_format: int, box: Box | None = None
    ) -> Measurement: ...


def _timed_slice(arr: Any, index: int, box: Box | None = None) -> Measurement:
    selection: Any = index if box is None else (index, slice(box[0], box[1]), slice(box[2], box[3]))
    cpu = time.process_time()
    start = time.perf_counter()
    data = arr[selection]
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

    def run(
        self, op: str, path: str, index: int, zarr_format: int, box: Box | None = None
    ) -> Measurement:
        if op == "slice":
            if path not in self._open:
                self._open[path] = self._zc.open_array(path, mode="r")
            return _timed_slice(self._open[path], index)
        if op == "region":
            from zarrcore.store.wrappers import CountingStore
            from zarrcore.url import open_store

            key = f"counted:{path}"
            if key not in self._open:
                store = CountingStore(open_store(path, mode="r"))
                self._open[key] = (store, self._zc.open_array(store, mode="r"))
            store, arr = self._open[key]
            store.reset()
            measurement = _timed_slice(arr, index, box)
            return dataclasses.replace(measurement, reads=store.reads)
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

    def run(
        self, op: str, path: str, index: int, zarr_format: int, box: Box | None = None
    ) -> Measurement:
        if op in ("slice", "region"):
            if path not in self._open:
                self._open[path] = self._zarr.open_array(path, mode="r")
            return _timed_slice(self._open[path], index, box if op == "region" else None)
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
            return op in ("slice", "region")  # no hierarchy / consolidated API
        return True

    def run(
        self, op: str, path: str, index: int, zarr_format: int, box: Box | None = None
    ) -> Measurement:
        extra: dict[str, Any] = {} if box is None else {"box": list(box)}
        reply = self._worker.call(
            op=op,
            engine=self._engine_id,
            path=path,
            index=index,
            zarr_format=zarr_format,
            **extra,
        )
        return Measurement(
            float(reply["seconds"]), int(reply["checksum"]), reply.get("cpu_seconds")
        )
