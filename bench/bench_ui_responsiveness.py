"""Responsiveness of the slice viewer while a slider is dragged over a slow store.

A 64 x 2048 x 2048 uint16 stack (chunks 1 x 512 x 512, Blosc) sits in a MemoryStore behind a
LatencyStore that adds 20 ms to every request. The viewer is shown; a timer moves the
z slider one step every 16 ms (a drag through all 64 slices), while a 2 ms heartbeat timer
measures how long the Qt event loop was unable to run (the stall). Done when the last
requested slice (z = 63) is drawn and nothing is in flight.

Pass criteria (issue 6): longest stall < 50 ms, and the final slice shown is the last asked.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_ui_responsiveness
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numcodecs
import numpy as np
from PySide6.QtCore import QElapsedTimer, QTimer

import zarrcore
from app.application import make_qapplication
from app.models.chunk_cache import ChunkCache
from app.models.image_source import single_array_source
from app.qt.slice_viewer import SliceViewerWidget
from app.workers import WorkerBridge
from zarrcore.store.memory import MemoryStore
from zarrcore.store.wrappers import LatencyStore

N_SLICES = 64
SIZE = 2048
LATENCY_S = 0.020
DRAG_STEP_MS = 16
HEARTBEAT_MS = 2


@dataclass
class Result:
    idle_stall_ms: float
    #: most CPU the UI thread itself used between two heartbeats (its own work, no waiting)
    max_ui_cpu_ms: float
    max_stall_ms: float
    p99_stall_ms: float
    drag_s: float
    settle_s: float
    frames_drawn: int
    requests_submitted: int
    final_index: int
    final_ok: bool


def build_stack() -> MemoryStore:
    store = MemoryStore()
    root = zarrcore.open_group(store, mode="w")
    array = root.create_array(
        "stack",
        shape=(N_SLICES, SIZE, SIZE),
        chunks=(1, 512, 512),
        dtype="<u2",
        fill_value=0,
        compressor=numcodecs.Blosc(cname="lz4", clevel=1, shuffle=numcodecs.Blosc.BITSHUFFLE),
    )
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    base = ((yy // 8 + xx // 8) % 256).astype(np.uint16) * 64
    for z in range(N_SLICES):
        array[z] = base + np.uint16(z * 100)
    return store


def measure_idle(app: object, seconds: float = 1.0) -> float:
    """Longest heartbeat delay with nothing to do: what the machine itself costs."""
    clock = QElapsedTimer()
    clock.start()
    gaps: list[float] = []
    last = [clock.nsecsElapsed()]

    def heartbeat() -> None:
        now = clock.nsecsElapsed()
        gaps.append((now - last[0]) / 1e6)
        last[0] = now

    beat = QTimer()
    beat.setInterval(HEARTBEAT_MS)
    beat.timeout.connect(heartbeat)
    beat.start()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()  # type: ignore[attr-defined]
    beat.stop()
    return max(0.0, max(gaps[1:], default=0.0) - HEARTBEAT_MS)


def run() -> Result:
    app = make_qapplication()
    slow = LatencyStore(build_stack(), LATENCY_S)
    array = zarrcore.open_array(slow, mode="r", path="stack")
    bridge = WorkerBridge(workers=4)
    viewer = SliceViewerWidget(bridge, ChunkCache(256 * 1024 * 1024))
    viewer.resize(1000, 800)
    viewer.show()
    app.processEvents()

    drawn: list[int] = []
    viewer.frame_drawn.connect(lambda frame: drawn.append(int(frame.selection[0])))
    viewer.set_source(single_array_source("stack", array))
    viewer.selection.set_index(0, 0)  # type: ignore[union-attr]
    deadline = time.perf_counter() + 60
    while not drawn or viewer.loading:
        app.processEvents()
        if time.perf_counter() > deadline:
            raise RuntimeError("the first frame never arrived")
    drawn.clear()
    idle_stall_ms = measure_idle(app)
    submitted_before = viewer._scheduler.submitted

    gaps: list[float] = []
    busy: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    last = [clock.nsecsElapsed()]
    last_cpu = [time.thread_time()]

    def heartbeat() -> None:
        now = clock.nsecsElapsed()
        cpu = time.thread_time()
        gaps.append((now - last[0]) / 1e6)
        busy.append((cpu - last_cpu[0]) * 1000)
        last[0] = now
        last_cpu[0] = cpu

    beat = QTimer()
    beat.setInterval(HEARTBEAT_MS)
    beat.timeout.connect(heartbeat)
    slider = viewer.dims.row(0).slider
    position = [0]
    drag = QTimer()
    drag.setInterval(DRAG_STEP_MS)

    def step() -> None:
        position[0] += 1
        slider.setValue(position[0])  # what a mouse drag does, one tick at a time
        if position[0] >= N_SLICES - 1:
            drag.stop()

    drag.timeout.connect(step)
    start = time.perf_counter()
    beat.start()
    drag.start()
    drag_end = None
    while True:
        app.processEvents()
        if drag_end is None and not drag.isActive():
            drag_end = time.perf_counter()
        if drag_end is not None and drawn and drawn[-1] == N_SLICES - 1 and not viewer.loading:
            break
        if time.perf_counter() - start > 120:
            raise RuntimeError("the last slice was never drawn")
    end = time.perf_counter()
    beat.stop()
    bridge.shutdown()
    stalls = np.maximum(np.array(gaps[1:]) - HEARTBEAT_MS, 0)
    shown = viewer.frame.selection[0] if viewer.frame is not None else -1
    return Result(
        idle_stall_ms=idle_stall_ms,
        max_ui_cpu_ms=float(max(busy[1:], default=0.0)),
        max_stall_ms=float(stalls.max()),
        p99_stall_ms=float(np.percentile(stalls, 99)),
        drag_s=(drag_end or end) - start,
        settle_s=end - (drag_end or end),
        frames_drawn=len(drawn),
        requests_submitted=viewer._scheduler.submitted - submitted_before,
        final_index=int(shown),  # type: ignore[arg-type]
        final_ok=int(shown) == N_SLICES - 1,  # type: ignore[arg-type]
    )


def main() -> int:
    result = run()
    size = f"{N_SLICES} x {SIZE}x{SIZE} uint16"
    print(f"slices dragged        {size}, {LATENCY_S * 1000:.0f} ms/request")
    print(f"idle-loop stall       {result.idle_stall_ms:.1f} ms (machine noise, nothing running)")
    print(f"longest stall         {result.max_stall_ms:.1f} ms (p99 {result.p99_stall_ms:.1f} ms)")
    print(f"UI-thread CPU         {result.max_ui_cpu_ms:.1f} ms at most between two heartbeats")
    print(f"drag / settle         {result.drag_s:.2f} s / {result.settle_s:.2f} s")
    print(f"fetches submitted     {result.requests_submitted} for {N_SLICES - 1} slider ticks")
    print(f"frames drawn          {result.frames_drawn}")
    print(f"final slice shown     z={result.final_index} ({'ok' if result.final_ok else 'WRONG'})")
    ok = result.max_stall_ms < 50 and result.final_ok
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
