"""The 20 ms latency benchmark of issue 4 (bench/bench_latency.py, written by the stores work).

It runs as its own process (``python -m bench.bench_latency``) so its stores, threads and
servers cannot disturb the other cases; its printed output goes into the report verbatim.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "bench_latency.py"
REPO_ROOT = SCRIPT.parents[1]


def run(timeout_s: float = 240.0) -> list[str]:
    """Output lines of the latency bench, or one line saying why it did not run."""
    if not SCRIPT.exists():
        return ["latency: bench/bench_latency.py does not exist yet (issue 4)"]
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "bench.bench_latency", "--no-results"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return [f"latency: bench/bench_latency.py did not finish in {timeout_s:.0f} s"]
    lines = proc.stdout.rstrip("\n").splitlines()
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-5:]
        lines += [f"latency: bench/bench_latency.py failed (exit {proc.returncode})", *tail]
    return lines
