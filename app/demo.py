"""The demo hierarchy `make run` opens: generated once under the user's data folder (zarrcore only).

Contents (zarr v2, consolidated):
- ``images/cells``: OME-NGFF 0.4 multiscale image (c, z, y, x) uint16, 3 levels, with omero
  channel windows: synthetic fluorescent nuclei and membranes.
- ``measurements/temperature``: float32 (180, 360) with NaN fill value, some chunks missing
  (they read as NaN) and a few NaN pixels inside stored chunks.
- ``dtypes/``: bool, int8, complex64, a structured and a fixed-length string array.
- ``experiments/2024/run_001`` …: nested groups with attributes.

``ZARRSCOPE_DEMO_DIR`` overrides the folder (tests use a temporary one).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numcodecs
import numpy as np
import platformdirs

import zarrcore

DEMO_VERSION = 1
DEMO_NAME = "zarrscope-demo.zarr"
DEMO_SELECT = "images/cells"


def demo_dir() -> Path:
    override = os.environ.get("ZARRSCOPE_DEMO_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir("zarrscope", appauthor=False)) / "demo"


def demo_path() -> Path:
    return demo_dir() / DEMO_NAME


def _is_current(path: Path) -> bool:
    try:
        root = zarrcore.open_group(str(path), mode="r")  # type: ignore[attr-defined]
        return bool(root.attrs.get("zarrscope_demo_version") == DEMO_VERSION)
    except (zarrcore.ZarrcoreError, OSError, KeyError):
        return False


def ensure_demo() -> Path:
    """Return the demo path, generating it first if missing or outdated."""
    path = demo_path()
    if path.exists() and _is_current(path):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".demo-", dir=path.parent)) / DEMO_NAME
    write_demo(staging)
    if path.exists():
        shutil.rmtree(path)
    staging.rename(path)
    shutil.rmtree(staging.parent, ignore_errors=True)
    return path


# -- content -------------------------------------------------------------------------------
def _nuclei_volume(rng: np.random.Generator, shape: tuple[int, int, int]) -> np.ndarray:
    """Sum of anisotropic Gaussian blobs: a stack that looks like stained nuclei."""
    nz, ny, nx = shape
    volume = np.zeros(shape, dtype=np.float32)
    z = np.arange(nz, dtype=np.float32)[:, None, None]
    for _ in range(70):
        cz, cy, cx = rng.uniform(0, nz), rng.uniform(0, ny), rng.uniform(0, nx)
        ry, rx, rz = rng.uniform(12, 22), rng.uniform(12, 22), rng.uniform(3, 6)
        y0, y1 = int(max(cy - 3 * ry, 0)), int(min(cy + 3 * ry, ny))
        x0, x1 = int(max(cx - 3 * rx, 0)), int(min(cx + 3 * rx, nx))
        if y1 <= y0 or x1 <= x0:
            continue
        yy = np.arange(y0, y1, dtype=np.float32)[None, :, None]
        xx = np.arange(x0, x1, dtype=np.float32)[None, None, :]
        blob = np.exp(-(((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2) - ((z - cz) / rz) ** 2 / 2)
        volume[:, y0:y1, x0:x1] += rng.uniform(0.5, 1.0) * blob
    # Chromatin-like texture: smoothed noise modulating the nuclei.
    texture = rng.normal(size=(ny, nx)).astype(np.float32)
    kernel = np.exp(-0.5 * (np.arange(-6, 7) / 2.0) ** 2).astype(np.float32)
    kernel /= kernel.sum() / 3.0
    for axis in (0, 1):
        texture = np.apply_along_axis(np.convolve, axis, texture, kernel, mode="same")
    return volume * (0.8 + 0.2 * np.tanh(texture))[None]


def _cells(rng: np.random.Generator, shape: tuple[int, int, int, int]) -> np.ndarray:
    nc, nz, ny, nx = shape
    nuclei = _nuclei_volume(rng, (nz, ny, nx))
    y = np.linspace(0, 6 * np.pi, ny, dtype=np.float32)[:, None]
    x = np.linspace(0, 6 * np.pi, nx, dtype=np.float32)[None, :]
    membranes = (np.abs(np.sin(y + np.sin(x / 2)) * np.cos(x + np.cos(y / 3))) ** 8)[None]
    zprofile = np.exp(-(((np.arange(nz) - nz / 2) / (nz / 2.5)) ** 2))[:, None, None]
    channels = [nuclei * 40_000, membranes * zprofile * 25_000 + nuclei * 3000]
    out = np.empty(shape, dtype=np.uint16)
    for c in range(nc):
        noisy = channels[c % 2] + 600 + rng.normal(0, 250, size=(nz, ny, nx))
        out[c] = np.clip(noisy, 0, 65535).astype(np.uint16)
    return out


def _downsample(data: np.ndarray, factor: int) -> np.ndarray:
    c, z, y, x = data.shape
    trimmed = data[:, :, : y - y % factor, : x - x % factor].astype(np.float32)
    reshaped = trimmed.reshape(c, z, y // factor, factor, x // factor, factor)
    return reshaped.mean(axis=(3, 5)).astype(data.dtype)


def _multiscales(levels: int) -> list[dict[str, Any]]:
    return [
        {
            "version": "0.4",
            "name": "cells",
            "axes": [
                {"name": "c", "type": "channel"},
                {"name": "z", "type": "space", "unit": "micrometer"},
                {"name": "y", "type": "space", "unit": "micrometer"},
                {"name": "x", "type": "space", "unit": "micrometer"},
            ],
            "datasets": [
                {
                    "path": str(level),
                    "coordinateTransformations": [
                        {"type": "scale", "scale": [1.0, 0.5, 0.1 * 2**level, 0.1 * 2**level]}
                    ],
                }
                for level in range(levels)
            ],
            "type": "mean",
        }
    ]


def _omero() -> dict[str, Any]:
    return {
        "name": "cells",
        "channels": [
            {"label": "DAPI", "color": "0000FF", "active": True,
             "window": {"start": 400, "end": 30000, "min": 0, "max": 65535}},
            {"label": "membrane", "color": "00FF00", "active": True,
             "window": {"start": 400, "end": 20000, "min": 0, "max": 65535}},
        ],
        "rdefs": {"model": "color"},
    }  # fmt: skip


def write_demo(path: Path) -> None:
    rng = np.random.default_rng(20240611)
    url = str(path)
    root = zarrcore.open_group(url, mode="w")  # type: ignore[attr-defined]
    root.attrs.update(
        {
            "title": "Zarrscope demo hierarchy",
            "description": "Synthetic microscopy stack, a gridded field with gaps and odd dtypes.",
            "zarrscope_demo_version": DEMO_VERSION,
        }
    )
    blosc = numcodecs.Blosc(cname="zstd", clevel=3, shuffle=numcodecs.Blosc.BITSHUFFLE)

    images = root.create_group("images")
    cells = images.create_group("cells")
    data = _cells(rng, (2, 24, 512, 512))
    for level in range(3):
        level_data = data if level == 0 else _downsample(data, 2**level)
        arr = cells.create_array(
            str(level),
            shape=level_data.shape,
            chunks=(1, 1, 256, 256),
            dtype="<u2",
            fill_value=0,
            compressor=blosc,
            dimension_separator="/",
        )
        arr[...] = level_data
    cells.attrs.update({"multiscales": _multiscales(3), "omero": _omero()})

    measurements = root.create_group("measurements")
    measurements.attrs.update({"instrument": "synthetic", "units": {"temperature": "degC"}})
    lat = np.linspace(-np.pi / 2, np.pi / 2, 180, dtype=np.float32)[:, None]
    lon = np.linspace(0, 2 * np.pi, 360, dtype=np.float32)[None, :]
    field = (30 * np.cos(lat) - 5 + 4 * np.sin(3 * lon) * np.cos(2 * lat)).astype(np.float32)
    field[rng.random(field.shape) < 0.01] = np.nan
    temperature = measurements.create_array(
        "temperature",
        shape=field.shape,
        chunks=(45, 90),
        dtype="<f4",
        fill_value=float("nan"),
        compressor=numcodecs.Zstd(level=3),
    )
    for i in range(4):
        for j in range(4):
            if (i, j) in {(0, 3), (2, 1), (3, 0)}:
                continue  # missing chunks: they read as the NaN fill value
            block = (slice(45 * i, 45 * (i + 1)), slice(90 * j, 90 * (j + 1)))
            temperature[block] = field[block]
    temperature.attrs.update(
        {"_ARRAY_DIMENSIONS": ["lat", "lon"], "long_name": "surface temperature"}
    )

    dtypes = root.create_group("dtypes")
    dtypes.attrs.update({"note": "one array per data type"})
    checker = (np.add.outer(np.arange(64), np.arange(64)) // 8) % 2 == 0
    dtypes.create_array("bool", shape=(64, 64), chunks=(32, 32), dtype="|b1",
                        fill_value=False)[...] = checker  # fmt: skip
    ramp = (np.add.outer(np.arange(32), np.arange(32)) * 4 - 128).clip(-128, 127)
    dtypes.create_array("int8", shape=(32, 32), chunks=(16, 16), dtype="|i1",
                        fill_value=0)[...] = ramp.astype(np.int8)  # fmt: skip
    yy, xx = np.mgrid[-2:2:128j, -2:2:128j]
    wave = np.exp(1j * 4 * np.hypot(yy, xx)) * np.exp(-(yy**2 + xx**2) / 2)
    dtypes.create_array("complex64", shape=(128, 128), chunks=(64, 64), dtype="<c8",
                        fill_value=0)[...] = wave.astype(np.complex64)  # fmt: skip
    record = np.dtype([("x", "<f4"), ("y", "<f4"), ("label", "S8")])
    points = np.zeros(100, dtype=record)
    points["x"] = rng.normal(size=100)
    points["y"] = rng.normal(size=100)
    points["label"] = [f"cell{i:03d}".encode() for i in range(100)]
    dtypes.create_array("structured", shape=(100,), chunks=(50,), dtype=record,
                        fill_value=None)[...] = points  # fmt: skip
    names = np.array([[f"r{r}c{c}" for c in range(5)] for r in range(4)], dtype="S6")
    dtypes.create_array("strings", shape=(4, 5), chunks=(2, 5), dtype="|S6",
                        fill_value=b"")[...] = names  # fmt: skip

    experiments = root.create_group("experiments")
    year = experiments.create_group("2024")
    for run in range(1, 4):
        group = year.create_group(f"run_{run:03d}")
        group.attrs.update(
            {"operator": "demo", "temperature_c": 20 + run, "settings": {"gain": run, "laser": 488}}
        )
        trace = group.create_array("trace", shape=(1000,), chunks=(250,), dtype="<f8",
                                   fill_value=0.0)  # fmt: skip
        trace[...] = np.sin(np.linspace(0, 20 * run, 1000))
    root.close()
    zarrcore.consolidate_metadata(url)  # type: ignore[attr-defined]
