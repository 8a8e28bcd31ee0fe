"""A long-lived reference-engine worker (bench/ref/worker.py under the reference interpreter).

The worker stays up for the whole run so that each measurement costs one JSON round trip,
not an interpreter start, and so the harness can interleave engines repetition by
repetition (on a shared 2-core machine load drifts; interleaving spreads it evenly).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
WORKER = Path(__file__).resolve().parent / "ref" / "worker.py"


def ref_python() -> str | None:
    """The reference interpreter, or None when it is not installed."""
    configured = os.environ.get("ZARRSCOPE_REF_PYTHON")
    candidate = Path(configured) if configured else REPO_ROOT / ".venv-ref" / "bin" / "python"
    return str(candidate) if candidate.exists() else None


class RefWorkerError(RuntimeError):
    """The worker failed a command or died."""


class RefWorker:
    """One worker process; ``call`` sends a command and returns its JSON reply."""

    def __init__(self, python: str) -> None:
        self._proc = subprocess.Popen(
            [python, str(WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )

    def call(self, **command: Any) -> dict[str, Any]:
        proc = self._proc
        if proc.stdin is None or proc.stdout is None or proc.poll() is not None:
            raise RefWorkerError("reference worker is not running")
        proc.stdin.write(json.dumps(command) + "\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        if not line:
            raise RefWorkerError(f"reference worker exited (code {proc.wait()})")
        reply: dict[str, Any] = json.loads(line)
        if "error" in reply:
            raise RefWorkerError(reply["error"])
        return reply

    def close(self) -> None:
        proc = self._proc
        if proc.poll() is None and proc.stdin is not None:
            try:
                proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
                proc.stdin.flush()
                proc.stdin.close()
                proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
