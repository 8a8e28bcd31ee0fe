"""Run code in the reference-engine venv (zarr-python 3 + tensorstore) through a subprocess.

zarrcore never imports zarr; tests and benchmarks that compare with zarr-python 3 send a
snippet here. Arguments travel as JSON; results come back as JSON (``result = ...`` in the
snippet) and as arrays saved with ``save(name, array)``. Each call costs one interpreter
start (1-2 s), so batch several arrays per call.

The interpreter is ``$ZARRSCOPE_REF_PYTHON`` or ``<repo root>/.venv-ref/bin/python``.

Example::

    out = run_ref('''
    import zarr
    a = zarr.open_array(args["path"], mode="r")
    save("data", a[...])
    result = {"shape": list(a.shape)}
    ''', path=str(tmp_path / "a.zarr"))
    out.result["shape"], out.arrays["data"]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[2]

_PRELUDE = r'''
import json as _json, os as _os, sys as _sys, warnings as _warnings
import numpy as _np
_warnings.simplefilter("ignore")
_out_dir = _sys.argv[1]
with open(_os.path.join(_out_dir, "args.json")) as _f:
    args = _json.load(_f)
_saved = {}
_counter = []
def save(name, array):
    """Save an array for the caller (object/string arrays go through JSON)."""
    array = _np.asarray(array)
    _counter.append(name)
    stem = _os.path.join(_out_dir, "a%d" % len(_counter))
    if array.dtype.kind in "OT":
        raw = array.reshape(-1).tolist()
        items = [x.decode("latin-1") if isinstance(x, bytes) else x for x in raw]
        kind = "bytes" if any(isinstance(x, bytes) for x in raw) else "str"
        with open(stem + ".json", "w") as f:
            _json.dump({"shape": list(array.shape), "items": items, "kind": kind}, f)
        _saved[name] = [stem, "json"]
    else:
        _np.save(stem + ".npy", array, allow_pickle=False)
        _saved[name] = [stem, "npy"]
result = None
'''

_EPILOGUE = r"""
with open(_os.path.join(_out_dir, "result.json"), "w") as _f:
    _json.dump({"result": result, "saved": _saved}, _f)
"""


class RefEngineError(RuntimeError):
    """The reference snippet failed; the message holds its stderr."""


@dataclass
class RefResult:
    """What a snippet returned: ``result`` (JSON) and the arrays it saved."""

    result: Any
    arrays: dict[str, np.ndarray] = field(default_factory=dict)


def ref_python() -> str:
    """Path of the reference interpreter."""
    env = os.environ.get("ZARRSCOPE_REF_PYTHON")
    if env:
        return env
    candidate = REPO_ROOT / ".venv-ref" / "bin" / "python"
    if candidate.exists():
        return str(candidate)
    return "/work/main/.venv-ref/bin/python"


def ref_available() -> bool:
    return Path(ref_python()).exists()


def _load_array(path: Path, kind: str) -> np.ndarray:
    if kind == "npy":
        return np.asarray(np.load(path.with_suffix(".npy"), allow_pickle=False))
    with open(path.with_suffix(".json")) as handle:
        payload = json.load(handle)
    items = payload["items"]
    if payload.get("kind") == "bytes":
        items = [x.encode("latin-1") if isinstance(x, str) else x for x in items]
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out.reshape(payload["shape"])


def run_ref(code: str, *, timeout_s: float = 300.0, **args: Any) -> RefResult:
    """Run ``code`` in the reference venv with ``args`` (JSON-serialisable keyword values).

    Inside the snippet: ``args`` (dict), ``save(name, array)``, and ``result`` (set it to any
    JSON value). Raises :class:`RefEngineError` with the snippet's stderr when it fails.
    """
    with tempfile.TemporaryDirectory(prefix="zarrscope-ref-") as tmp:
        out_dir = Path(tmp)
        (out_dir / "args.json").write_text(json.dumps(args))
        script = out_dir / "snippet.py"
        script.write_text(_PRELUDE + textwrap.dedent(code) + "\n" + _EPILOGUE)
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)
        proc = subprocess.run(
            [ref_python(), str(script), str(out_dir)],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            env=env,
            cwd=tmp,
            check=False,
        )
        if proc.returncode != 0:
            raise RefEngineError(
                f"reference snippet failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}"
            )
        with open(out_dir / "result.json") as handle:
            payload = json.load(handle)
        arrays = {
            name: _load_array(Path(stem), kind) for name, (stem, kind) in payload["saved"].items()
        }
        return RefResult(payload["result"], arrays)


if __name__ == "__main__":  # pragma: no cover - manual smoke test
    print(run_ref("import zarr; result = zarr.__version__").result, file=sys.stdout)
