"""Benchmark datasets: built once into the cache dir (bench/out/, gitignored) and reused.

Each dataset directory gets a ``.bench-spec.json`` marker written last; a directory whose
marker is missing or describes other parameters is rebuilt. v2 datasets are written with
zarr-python 2.18 (the test-only reference in .venv), the sharded v3 one with zarr-python 3
through the reference worker.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.ref import synthetic
from bench.refclient import RefWorker

DEFAULT_OUT = Path(__file__).resolve().parent / "out"
MARKER = ".bench-spec.json"


@dataclass(frozen=True)
class VolumeSpec:
    """A 3-D uint16 image stack (frames, rows, columns)."""

    shape: tuple[int, int, int]
    chunks: tuple[int, int, int]
    shards: tuple[int, int, int] | None = None  # v3 sharded when set (chunks = inner chunks)
    cname: str = "lz4"


@dataclass(frozen=True)
class HierarchySpec:
    """A consolidated v2 hierarchy of ``ngroups * per_group`` small arrays."""

    ngroups: int
    per_group: int


@dataclass(frozen=True)
class Dataset:
    name: str
    spec: VolumeSpec | HierarchySpec
    zarr_format: int = 2

    def path(self, out_dir: Path) -> Path:
        return out_dir / f"{self.name}.zarr"


def _spec_json(dataset: Dataset) -> str:
    return json.dumps(
        {"name": dataset.name, "format": dataset.zarr_format, **asdict(dataset.spec)},
        sort_keys=True,
    )


def _build_v2_volume(path: Path, spec: VolumeSpec) -> None:
    import numcodecs
    import zarr

    compressor = numcodecs.Blosc(cname=spec.cname, clevel=5, shuffle=numcodecs.Blosc.SHUFFLE)
    arr = zarr.open_array(
        str(path),
        mode="w",
        shape=spec.shape,
        chunks=spec.chunks,
        dtype="<u2",
        compressor=compressor,
        fill_value=0,
    )
    ck, cy, cx = spec.chunks
    nk, ny, nx = spec.shape
    for k in range(0, nk, ck):
        for y in range(0, ny, cy):
            for x in range(0, nx, cx):
                k1, y1, x1 = min(k + ck, nk), min(y + cy, ny), min(x + cx, nx)
                arr[k:k1, y:y1, x:x1] = synthetic.block(k, k1, y, y1, x, x1)


def _build_hierarchy(path: Path, spec: HierarchySpec) -> None:
    import zarr

    root = zarr.open_group(str(path), mode="w")
    root.attrs["description"] = "benchmark hierarchy"
    for g in range(spec.ngroups):
        group = root.create_group(f"g{g:03d}")
        group.attrs["index"] = g
        for a in range(spec.per_group):
            arr = group.zeros(f"a{a:03d}", shape=(4, 4), chunks=(4, 4), dtype="<i4")
            arr.attrs["units"] = "counts"
    zarr.consolidate_metadata(str(path))


def _build_sharded(path: Path, spec: VolumeSpec, worker: RefWorker) -> None:
    assert spec.shards is not None
    worker.call(
        op="build_sharded",
        path=str(path),
        shape=list(spec.shape),
        shards=list(spec.shards),
        chunks=list(spec.chunks),
    )


def ensure(
    dataset: Dataset,
    out_dir: Path,
    *,
    ref_worker: Callable[[], RefWorker | None],
    log: Callable[[str], None] = print,
) -> Path | None:
    """Build ``dataset`` under ``out_dir`` unless an identical build is cached.

    Returns its path, or None when it needs the reference engines and they are missing.
    """
    path = dataset.path(out_dir)
    wanted = _spec_json(dataset)
    marker = path / MARKER
    if marker.exists() and marker.read_text() == wanted:
        return path
    if path.exists():
        shutil.rmtree(path)
    out_dir.mkdir(parents=True, exist_ok=True)
    log(f"building dataset {dataset.name} in {path} ...")
    spec: Any = dataset.spec
    if isinstance(spec, HierarchySpec):
        _build_hierarchy(path, spec)
    elif spec.shards is not None:
        worker = ref_worker()
        if worker is None:
            return None
        _build_sharded(path, spec, worker)
    else:
        _build_v2_volume(path, spec)
    marker.write_text(wanted)
    return path


FULL: dict[str, Dataset] = {
    "thin": Dataset("thin", VolumeSpec((16, 2048, 2048), (1, 512, 512))),
    "thick": Dataset("thick", VolumeSpec((64, 2048, 2048), (64, 256, 256))),
    "hierarchy": Dataset("hierarchy", HierarchySpec(40, 50)),
    "sharded": Dataset(
        "sharded", VolumeSpec((16, 2048, 2048), (1, 256, 256), shards=(1, 1024, 1024)), 3
    ),
}

SMOKE: dict[str, Dataset] = {
    "thin": Dataset("smoke-thin", VolumeSpec((4, 64, 64), (1, 16, 16))),
    "thick": Dataset("smoke-thick", VolumeSpec((8, 64, 64), (8, 16, 16))),
    "hierarchy": Dataset("smoke-hierarchy", HierarchySpec(2, 5)),
    "sharded": Dataset(
        "smoke-sharded", VolumeSpec((4, 64, 64), (1, 16, 16), shards=(1, 32, 32)), 3
    ),
}
