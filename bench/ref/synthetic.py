"""Deterministic image-like uint16 data for the benchmark datasets (numpy only).

Imported by the harness (main venv) and by the reference worker (reference venv), so both
sides build and check the same data. Frames are a smooth pattern plus noise from one fixed
tile, so blosc compresses them about as well as real microscopy frames (2-3x), not 100x.
"""

from __future__ import annotations

import functools

import numpy as np

TILE = 2048


@functools.lru_cache(maxsize=1)
def _noise_tile() -> np.ndarray:
    rng = np.random.default_rng(20261126)
    return rng.normal(0.0, 40.0, size=(TILE, TILE)).astype(np.float32)


def block(k0: int, k1: int, y0: int, y1: int, x0: int, x1: int) -> np.ndarray:
    """Frames ``[k0, k1)``, rows ``[y0, y1)``, columns ``[x0, x1)`` as uint16."""
    ys = np.arange(y0, y1, dtype=np.float32)[:, None]
    xs = np.arange(x0, x1, dtype=np.float32)[None, :]
    noise = _noise_tile()
    out = np.empty((k1 - k0, y1 - y0, x1 - x0), dtype=np.uint16)
    for i, k in enumerate(range(k0, k1)):
        pattern = 2000.0 + 800.0 * np.sin(xs / 90.0 + k / 7.0) * np.cos(ys / 130.0)
        rows = (np.arange(y0, y1) + 37 * k) % TILE
        cols = (np.arange(x0, x1) + 11 * k) % TILE
        frame = pattern + noise[np.ix_(rows, cols)]
        out[i] = np.clip(frame, 0, 65535).astype(np.uint16)
    return out


def checksum(arr: np.ndarray) -> int:
    """Order-sensitive-enough checksum used to check that every engine read the same data."""
    flat = np.asarray(arr).reshape(-1).astype(np.uint64)
    weights = (np.arange(flat.size, dtype=np.uint64) % np.uint64(251)) + np.uint64(1)
    return int(np.sum(flat * weights, dtype=np.uint64))
