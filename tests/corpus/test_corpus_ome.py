# ruff: noqa: E501  (the reference snippet is code inside a string)
"""Corpus: OME-NGFF 0.5 pyramids written by zarr-python 3.1 (sharded and not, with labels,
consolidated) read back level by level with zarrcore, and parsed by zarrcore.ome."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import zarrcore
from zarrcore.ome import check_arrays, ome_of
from zarrcore.testing.corpus import same_data, same_json
from zarrcore.testing.refengine import RefResult, ref_available, run_ref

pytestmark = pytest.mark.interop

WRITER = r"""
import math, numpy as np, zarr
from zarr.codecs import BloscCodec, BytesCodec, ShardingCodec
def pyramid(group, base, levels, axes, shards, name, start=False, sparse=False):
    datasets = []
    data = base
    for level in range(levels):
        chunks = tuple(max(1, min(s, c)) for s, c in zip(data.shape, shards or (1, 8, 8, 8)[-data.ndim:]))
        blosc = BloscCodec(cname="zstd", clevel=3, shuffle="bitshuffle")
        kw = {"shards": tuple(2 * c for c in chunks), "compressors": blosc} if shards else {"compressors": blosc}
        if start:  # index at the start, big-endian inner chunks
            kw = {"compressors": None, "serializer": ShardingCodec(chunk_shape=chunks, codecs=[
                BytesCodec(endian="big"), blosc], index_location="start")}
            chunks = tuple(2 * c for c in chunks)
        a = group.create_array(str(level), shape=data.shape, dtype=data.dtype, chunks=chunks,
                               dimension_names=[ax["name"] for ax in axes], fill_value=0, **kw)
        if sparse:  # a corner and a band: missing shards, missing and partial inner chunks
            h, w = data.shape[-2:]
            a[..., : h // 2, : w // 3] = data[..., : h // 2, : w // 3]
            a[..., h - 3 :, w // 2 : w // 2 + 5] = data[..., h - 3 :, w // 2 : w // 2 + 5]
        else:
            a[...] = data
        scale = [1.0] * (data.ndim - 2) + [0.5 * 2**level, 0.5 * 2**level]
        datasets.append({"path": str(level), "coordinateTransformations": [
            {"type": "scale", "scale": scale},
            {"type": "translation", "translation": [0.0] * (data.ndim - 2) + [0.25 * level] * 2}]})
        save(f"{args['tag']}/{group.path}/{level}", a[...])
        data = data[..., ::2, ::2]
    group.attrs["ome"] = {"version": "0.5", "multiscales": [{"name": name, "axes": axes,
        "datasets": datasets}], "omero": {"channels": [{"color": "00FF00", "label": "GFP",
        "active": True, "window": {"start": 0, "end": 1500, "min": 0, "max": 65535}}],
        "rdefs": {"model": "color"}}}

path = args["path"]
root = zarr.open_group(path, mode="w", zarr_format=3)
rng = np.random.default_rng(1)
axes = [{"name": "c", "type": "channel"}, {"name": "y", "type": "space", "unit": "micrometer"},
        {"name": "x", "type": "space", "unit": "micrometer"}]
img = rng.integers(0, 4000, (2, 37, 45)).astype("uint16")
pyramid(root, img, 3, axes, (1, 8, 8) if args["sharded"] else None, "img",
        start=args["start"], sparse=args["sparse"])
labels = root.create_group("labels")
labels.attrs["ome"] = {"version": "0.5", "labels": ["cells"]}
cells = labels.create_group("cells")
lab = (img[0] > 2000).astype("uint32")
pyramid(cells, lab, 2, axes[1:], None, "cells")
ome = dict(cells.attrs["ome"])
ome["image-label"] = {"colors": [{"label-value": 1, "rgba": [255, 0, 0, 255]}],
                      "source": {"image": "../../"}}
cells.attrs["ome"] = ome
if args["consolidated"]:
    zarr.consolidate_metadata(path)
result = {"attrs": dict(root.attrs), "cells": dict(cells.attrs)}
"""

VARIANTS = ["plain", "sharded", "consolidated", "sharded-consolidated", "sharded-start-sparse"]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, RefResult]]:
    if not ref_available():
        pytest.fail("the reference venv (.venv-ref) is missing: run `make install-ref`")
    out = {}
    root = tmp_path_factory.mktemp("ome")
    for variant in VARIANTS:
        path = root / f"{variant}.zarr"
        out[variant] = (
            path,
            run_ref(
                WRITER,
                path=str(path),
                tag=variant,
                sharded="sharded" in variant,
                consolidated="consolidated" in variant,
                start="start" in variant,
                sparse="sparse" in variant,
            ),
        )
    return out


@pytest.mark.parametrize("variant", VARIANTS)
def test_ome_pyramid_reads_identically(
    variant: str, written: dict[str, tuple[Path, RefResult]]
) -> None:
    path, ref = written[variant]
    opener: Any = zarrcore.open_consolidated if "consolidated" in variant else zarrcore.open
    root = opener(str(path))
    try:
        assert same_json(dict(root.attrs), ref.result["attrs"])
        ome = ome_of(root)
        assert ome is not None and ome.kind == "image" and ome.version == "0.5"
        image = ome.image
        assert image is not None
        assert [d.path for d in image.datasets] == ["0", "1", "2"]
        shapes = {}
        names = {}
        for level in ("0", "1", "2"):
            arr = root[level]
            assert isinstance(arr, zarrcore.Array)
            shapes[level] = arr.shape
            names[level] = arr.dimension_names
            want = ref.arrays[f"{variant}//{level}"]
            assert same_data(np.asarray(arr[...]), want) is None
            assert same_data(np.asarray(arr[1, 3::5, 2::3]), want[1, 3::5, 2::3]) is None
        check_arrays(image, shapes, names)
        cells = root["labels/cells"]
        assert same_json(dict(cells.attrs), ref.result["cells"])
        label_meta = ome_of(cells)
        assert label_meta is not None and label_meta.kind == "label-image"
        for level in ("0", "1"):
            want = ref.arrays[f"{variant}/labels/cells/{level}"]
            assert same_data(np.asarray(cells[level][...]), want) is None
    finally:
        root.close()
