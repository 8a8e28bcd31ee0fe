"""Benchmark worker for the reference engines (zarr-python 3, tensorstore).

Runs under the reference interpreter (``$ZARRSCOPE_REF_PYTHON`` or ``.venv-ref/bin/python``),
never imported by the harness. It reads one JSON command per line on stdin and answers one
JSON line on stdout, so the harness can interleave its repetitions with the in-process
engines. Only the timed part of each command is inside the timer; an array is opened once
for all slice reads of a case and that open is not timed (the same rule as for the
in-process engines).

Commands: ``{"op": "versions"}``, ``{"op": "slice", "engine": "zarr3"|"tensorstore",
"path": ..., "index": k, "zarr_format": 2|3}``, ``{"op": "open_list", "engine": "zarr3",
"path": ...}``, ``{"op": "build_sharded", "path": ..., "shape": [...], "shards": [...],
"chunks": [...]}``, ``{"op": "quit"}``.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
import warnings
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np
import synthetic

warnings.simplefilter("ignore")
_REPLY = sys.stdout
sys.stdout = sys.stderr  # engines must not write into the reply channel


def _versions() -> dict[str, Any]:
    import numcodecs
    import tensorstore
    import zarr

    ts_version = getattr(tensorstore, "__version__", None)
    if ts_version is None:
        from importlib.metadata import version

        ts_version = version("tensorstore")
    return {
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "numcodecs": numcodecs.__version__,
        "zarr": zarr.__version__,
        "tensorstore": ts_version,
    }


_OPEN: dict[tuple[str, str], Any] = {}


def _selection(index: int, box: list[int] | None) -> Any:
    if box is None:
        return index
    y0, y1, x0, x1 = box
    return (index, slice(y0, y1), slice(x0, x1))


def _slice_zarr3(path: str, index: int, box: list[int] | None = None) -> tuple[float, np.ndarray]:
    import zarr

    if ("zarr3", path) not in _OPEN:
        _OPEN["zarr3", path] = zarr.open_array(path, mode="r")
    arr = _OPEN["zarr3", path]
    selection = _selection(index, box)
    start = _start()
    data = arr[selection]
    return _stop(start), np.asarray(data)


def _slice_tensorstore(
    path: str, index: int, zarr_format: int, box: list[int] | None = None
) -> tuple[float, np.ndarray]:
    import tensorstore as ts

    if ("tensorstore", path) not in _OPEN:
        driver = "zarr3" if zarr_format == 3 else "zarr"
        spec = {"driver": driver, "kvstore": {"driver": "file", "path": path}}
        _OPEN["tensorstore", path] = ts.open(spec, read=True).result()
    arr = _OPEN["tensorstore", path]
    selection = _selection(index, box)
    start = _start()
    data = arr[selection].read().result()
    return _stop(start), np.asarray(data)


def _open_list_zarr3(path: str) -> tuple[float, int]:
    import zarr

    start = _start()
    group = zarr.open_consolidated(path, mode="r")
    names = [name for name, node in group.members(max_depth=None) if isinstance(node, zarr.Array)]
    return _stop(start), len(names)


def _build_sharded(cmd: dict[str, Any]) -> dict[str, Any]:
    import zarr
    from zarr.codecs import BloscCodec

    shape = tuple(cmd["shape"])
    shards = tuple(cmd["shards"])
    chunks = tuple(cmd["chunks"])
    arr = zarr.create_array(
        cmd["path"],
        shape=shape,
        shards=shards,
        chunks=chunks,
        dtype="uint16",
        compressors=[BloscCodec(cname="lz4", clevel=5, shuffle="shuffle")],
        fill_value=0,
        overwrite=True,
    )
    for k in range(0, shape[0], shards[0]):
        k1 = min(k + shards[0], shape[0])
        for y in range(0, shape[1], shards[1]):
            for x in range(0, shape[2], shards[2]):
                y1, x1 = min(y + shards[1], shape[1]), min(x + shards[2], shape[2])
                arr[k:k1, y:y1, x:x1] = synthetic.block(k, k1, y, y1, x, x1)
    return {"ok": True}


_CPU: list[float] = []


def _start() -> float:
    """Start the clocks: wall time returned, CPU time (all threads) kept for ``_stop``."""
    _CPU.append(time.process_time())
    return time.perf_counter()


def _stop(start: float) -> float:
    seconds = time.perf_counter() - start
    _CPU.append(time.process_time() - _CPU.pop())
    return seconds


def handle(cmd: dict[str, Any]) -> dict[str, Any]:
    _CPU.clear()
    reply = _handle(cmd)
    if "seconds" in reply and _CPU:
        reply["cpu_seconds"] = _CPU[-1]
    return reply


def _handle(cmd: dict[str, Any]) -> dict[str, Any]:
    op = cmd["op"]
    if op == "versions":
        return _versions()
    if op in ("slice", "region"):
        engine = cmd["engine"]
        box = cmd.get("box") if op == "region" else None
        if engine == "zarr3":
            seconds, data = _slice_zarr3(cmd["path"], cmd["index"], box)
        elif engine == "tensorstore":
            seconds, data = _slice_tensorstore(cmd["path"], cmd["index"], cmd["zarr_format"], box)
        else:
            raise ValueError(f"unknown engine {engine}")
        return {"seconds": seconds, "checksum": synthetic.checksum(data), "shape": data.shape}
    if op == "open_list":
        seconds, count = _open_list_zarr3(cmd["path"])
        return {"seconds": seconds, "checksum": count}
    if op == "build_sharded":
        return _build_sharded(cmd)
    raise ValueError(f"unknown op {op}")


def main() -> None:
    for line in sys.stdin:
        if not line.strip():
            continue
        cmd = json.loads(line)
        if cmd.get("op") == "quit":
            break
        try:
            reply = handle(cmd)
        except Exception as exc:
            reply = {"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()}
        _REPLY.write(json.dumps(reply) + "\n")
        _REPLY.flush()


if __name__ == "__main__":
    main()
