"""Arrays written by zarrcore (v3) read identically with zarr-python 3.1 (one subprocess),
plus zarr-python's consolidated form and an OME-NGFF 0.5 pyramid written by zarr-python."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numcodecs
import numpy as np
import pytest

import zarrcore
from zarrcore.ome import parse_ome
from zarrcore.store.zip import ZipStore
from zarrcore.testing.refengine import RefResult, run_ref

pytestmark = pytest.mark.interop

RNG = np.random.default_rng(7)
I2 = RNG.integers(-1000, 1000, (13, 17)).astype("i2")
F4 = RNG.standard_normal((9, 11)).astype("f4")
BIG = RNG.integers(0, 60000, (40, 50)).astype("u2")
BIG_ENDIAN_CHAIN = [
    {"name": "transpose", "configuration": {"order": [1, 0]}},
    {"name": "bytes", "configuration": {"endian": "big"}},
    {
        "name": "blosc",
        "configuration": {
            "typesize": 4,
            "cname": "zstd",
            "clevel": 3,
            "shuffle": "bitshuffle",
            "blocksize": 0,
        },
    },
    {"name": "crc32c"},
]


def _sparse() -> np.ndarray:
    data = np.full((40, 50), 3, dtype="u2")
    data[0:3, 0:3] = 7
    data[30:33, 41:50] = 9
    return data


#: name -> (data, create_array keyword arguments)
CASES: dict[str, tuple[np.ndarray, dict[str, Any]]] = {
    "default": (I2, {"chunks": (4, 5)}),
    "gzip": (I2, {"chunks": (4, 5), "compressor": numcodecs.GZip(5)}),
    "zstd": (I2, {"chunks": (4, 5), "compressor": numcodecs.Zstd(level=3)}),
    "blosc": (F4, {"chunks": (4, 4), "compressor": numcodecs.Blosc("lz4", 5, 1)}),
    "zlib_numcodecs": (I2, {"chunks": (4, 5), "compressor": numcodecs.Zlib(1)}),
    "delta_filter": (I2, {"chunks": (4, 5), "filters": [numcodecs.Delta(dtype="<i2")]}),
    "raw": (I2, {"chunks": (5, 5), "compressor": None}),
    "order_f": (I2, {"chunks": (4, 5), "order": "F"}),
    "big_endian_chain": (F4, {"chunks": (4, 6), "codecs": BIG_ENDIAN_CHAIN}),
    "key_dot": (I2, {"chunks": (4, 5), "dimension_separator": "."}),
    "key_v2": (I2, {"chunks": (4, 5), "chunk_key_encoding": {"name": "v2", "separator": "."}}),
    "key_v2_slash": (
        I2,
        {"chunks": (4, 5), "chunk_key_encoding": {"name": "v2", "separator": "/"}},
    ),
    "shard_end": (BIG, {"chunks": (8, 10), "shards": (16, 20)}),
    "shard_start": (BIG, {"chunks": (4, 5), "shards": (8, 10), "shard_index_location": "start"}),
    "shard_sparse": (_sparse(), {"chunks": (8, 10), "shards": (16, 20), "fill_value": 3}),
    "f4_nan": (
        np.where(F4 > 0.5, np.nan, F4).astype("f4"),
        {"chunks": (4, 4), "fill_value": np.nan},
    ),
    "f8_inf": (np.array([1.5, -np.inf, np.inf]), {"chunks": (2,), "fill_value": -np.inf}),
    "bool": (RNG.integers(0, 2, 11).astype(bool), {"chunks": (4,), "fill_value": False}),
    "i1": (RNG.integers(-100, 100, 11).astype("i1"), {"chunks": (4,)}),
    "u8": (np.array([0, 2**64 - 1, 5], dtype="u8"), {"chunks": (2,), "fill_value": 2**64 - 1}),
    "f2": (np.array([1.5, np.nan, -2], dtype="f2"), {"chunks": (2,), "fill_value": np.nan}),
    "c8": (np.array([1 + 2j, 3 - 4j, 0], dtype="c8"), {"chunks": (2,), "fill_value": 1 + 1j}),
    "string": (
        np.array(["ab", "", "héllo", "x" * 40], dtype=object),
        {"chunks": (3,), "dtype": str, "fill_value": ""},
    ),
    "vbytes": (
        np.array([b"ab", b"", b"\x00\xff"], dtype=object),
        {"chunks": (2,), "dtype": bytes, "fill_value": b""},
    ),
    "U5": (np.array(["abc", "héllo", ""], dtype="U5"), {"chunks": (2,), "fill_value": ""}),
    "S4": (np.array([b"ab", b"abcd", b""], dtype="S4"), {"chunks": (2,), "fill_value": b"zz"}),
    "V3": (np.array([b"abc", b"\x00\x01\x02"], dtype="V3"), {"chunks": (1,), "fill_value": None}),
    "structured": (
        np.array([(1, 2.5), (3, -1.0)], dtype=[("a", "<i4"), ("b", "<f8")]),
        {"chunks": (1,), "fill_value": None},
    ),
    "dt64": (
        np.array(["2020-01-01T00:00:10", "NaT"], dtype="M8[10s]"),
        {"chunks": (1,), "fill_value": None},
    ),
    "td64": (np.array([5, -3, 7], dtype="m8[ms]"), {"chunks": (2,), "fill_value": None}),
    "shard_strings": (
        np.array(["", "a", "bé", "", "ccc", "d", ""], dtype=object),
        {"chunks": (2,), "shards": (4,), "dtype": str, "fill_value": ""},
    ),
    "zero_d": (np.array(3.5), {"chunks": ()}),
    "dims": (
        I2,
        {
            "chunks": (4, 5),
            "dimension_names": ["y", "x"],
            "attributes": {"units": "m", "nan": float("nan")},
        },
    ),
    "nested/deeper/leaf": (np.array([4, 5, 6], dtype="u1"), {"chunks": (2,)}),
}

READER = r"""
import zarr
root = args["path"]
meta = {}
for name in args["names"]:
    a = zarr.open_array(root, path=name, mode="r")
    save(name, a[...])
    meta[name] = {"dtype": str(a.dtype), "shards": list(a.shards) if a.shards else None,
                  "chunks": list(a.chunks), "attrs": dict(a.attrs),
                  "dimension_names": list(a.metadata.dimension_names)
                  if a.metadata.dimension_names else None}
g = zarr.open_consolidated(root)
consolidated = sorted(g.metadata.consolidated_metadata.flattened_metadata)
zipped = zarr.open_array(zarr.storage.ZipStore(args["zip"], mode="r"), path="z", mode="r")
save("zip:z", zipped[...])

# an OME-NGFF 0.5 pyramid and a consolidated hierarchy, written by zarr-python
import numpy as np
ome = zarr.open_group(args["ome"], mode="w", zarr_format=3)
base = np.arange(2 * 64 * 48, dtype="uint16").reshape(2, 64, 48)
for level in range(3):
    f = 2 ** level
    data = base[:, ::f, ::f]
    a = ome.create_array(str(level), shape=data.shape, chunks=(1, 16, 16), shards=(1, 32, 32),
                         dtype="uint16", dimension_names=["c", "y", "x"])
    a[...] = data
    save(f"ome:{level}", data)
ome.attrs["ome"] = {"version": "0.5", "multiscales": [{
    "name": "img",
    "axes": [{"name": "c", "type": "channel"}, {"name": "y", "type": "space", "unit": "micrometer"},
             {"name": "x", "type": "space", "unit": "micrometer"}],
    "datasets": [{"path": str(l), "coordinateTransformations": [
        {"type": "scale", "scale": [1, 0.5 * 2 ** l, 0.5 * 2 ** l]}]} for l in range(3)]}],
    "omero": {"channels": [{"color": "00FF00", "label": "GFP",
                            "window": {"start": 10, "end": 900, "min": 0, "max": 65535}},
                           {"color": "FF00FF", "label": "RFP"}]}}
ome.create_group("labels", attributes={"ome": {"version": "0.5", "labels": ["cells"]}})
zarr.consolidate_metadata(args["ome"])
result = {"meta": meta, "consolidated": consolidated}
"""


@pytest.fixture(scope="module")
def exchange(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RefResult]:
    tmp = tmp_path_factory.mktemp("v3write")
    path = tmp / "ours.zarr"
    root = zarrcore.open_group(path, mode="w", zarr_format=3)
    for name, (data, kwargs) in CASES.items():
        kw = dict(kwargs)
        dtype = kw.pop("dtype", data.dtype)
        arr = root.create_array(name, shape=data.shape, dtype=dtype, **kw)
        arr[...] = data
    root.attrs["title"] = "written by zarrcore"
    zarrcore.consolidate_metadata(path)
    zip_path = tmp / "ours.zip"
    with zarrcore.open_group(
        ZipStore(zip_path, read_only=False), mode="w", zarr_format=3
    ) as zipped:
        zipped.create_array("z", shape=(6, 6), chunks=(2, 2), shards=(4, 4), dtype="i4")[...] = (
            np.arange(36, dtype="i4").reshape(6, 6)
        )
    ref = run_ref(
        READER, path=str(path), names=list(CASES), zip=str(zip_path), ome=str(tmp / "ome.zarr")
    )
    return tmp, ref


def _same(actual: np.ndarray, expected: np.ndarray) -> None:
    assert actual.shape == expected.shape
    if expected.dtype.kind == "O":
        assert actual.tolist() == expected.tolist()
    elif expected.dtype.kind == "V":
        assert actual.tobytes() == expected.tobytes()
    else:
        np.testing.assert_array_equal(actual, expected)


@pytest.mark.parametrize("name", list(CASES))
def test_zarr_python_reads_what_zarrcore_wrote(exchange: tuple[Path, RefResult], name: str) -> None:
    _, ref = exchange
    _same(ref.arrays[name], CASES[name][0])


def test_zarr_python_sees_shards_dimension_names_and_attributes(
    exchange: tuple[Path, RefResult],
) -> None:
    _, ref = exchange
    meta = ref.result["meta"]
    assert meta["shard_end"]["shards"] == [16, 20] and meta["shard_end"]["chunks"] == [8, 10]
    assert meta["dims"]["dimension_names"] == ["y", "x"]
    assert meta["dims"]["attrs"] == {"units": "m", "nan": "NaN"}
    assert meta["string"]["dtype"] in ("StringDType()", "object", "StringDType(na_object=None)")


def test_chunk_key_layouts(exchange: tuple[Path, RefResult]) -> None:
    tmp, _ = exchange
    path = tmp / "ours.zarr"
    assert (path / "default/c/0/0").is_file()
    assert (path / "key_dot/c.0.0").is_file()
    assert (path / "key_v2/0.0").is_file()
    assert (path / "key_v2_slash/0/0").is_file()
    assert (path / "zero_d/c").is_file()
    shards = sorted(
        p.relative_to(path / "shard_sparse").as_posix()
        for p in (path / "shard_sparse/c").rglob("*")
        if p.is_file()
    )
    assert shards == ["c/0/0", "c/1/2", "c/2/2"]


def test_zarr_python_reads_our_consolidated_metadata(exchange: tuple[Path, RefResult]) -> None:
    _, ref = exchange
    consolidated = ref.result["consolidated"]
    assert "shard_end" in consolidated and "nested/deeper/leaf" in consolidated
    assert "nested" in consolidated and "nested/deeper" in consolidated


def test_zip_store_round_trip(exchange: tuple[Path, RefResult]) -> None:
    tmp, ref = exchange
    _same(ref.arrays["zip:z"], np.arange(36, dtype="i4").reshape(6, 6))
    arr = zarrcore.open_array(ZipStore(tmp / "ours.zip", read_only=True), path="z")
    _same(arr[1:5, 2:6], np.arange(36, dtype="i4").reshape(6, 6)[1:5, 2:6])


def test_zarr_python_consolidated_hierarchy_opens_with_one_read(
    exchange: tuple[Path, RefResult],
) -> None:
    from zarrcore.store.local import DirectoryStore
    from zarrcore.store.wrappers import CountingStore

    tmp, _ = exchange
    store = CountingStore(DirectoryStore(tmp / "ome.zarr", read_only=True))
    group = zarrcore.open_consolidated(store)
    names = [name for name, _ in group.members()]
    assert names == ["0", "1", "2", "labels"]
    assert group["labels"].attrs["ome"]["labels"] == ["cells"]
    counts = store.counts  # one batched read of the root documents, no listing
    assert counts.get("get_many") == 1 and counts.get("get", 0) == 0
    assert store.listings == 0
    report = zarrcore.check_consolidated(tmp / "ome.zarr")
    assert report.up_to_date, report


def test_ome_05_pyramid_written_by_zarr_python(exchange: tuple[Path, RefResult]) -> None:
    tmp, ref = exchange
    group = zarrcore.open_group(tmp / "ome.zarr", mode="r")
    ome = parse_ome(dict(group.attrs))
    assert ome is not None and ome.version == "0.5" and ome.image is not None
    image = ome.image
    assert image.paths == ("0", "1", "2")
    assert image.channel_axis == 0 and image.yx_axes == (1, 2)
    assert image.scale_factors()[2] == (1.0, 4.0, 4.0)
    channel = ome.channel(0)
    assert channel is not None and channel.color == (0, 255, 0)
    for level, path in enumerate(image.paths):
        arr = group[path]
        assert isinstance(arr, zarrcore.Array)
        assert arr.dimension_names == ("c", "y", "x")
        _same(arr[...], ref.arrays[f"ome:{level}"])
