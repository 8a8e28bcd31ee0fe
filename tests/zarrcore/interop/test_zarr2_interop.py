"""Byte compatibility with zarr-python 2.18 in both directions, on flat and nested
directory stores, for every dtype, compressor and filter of issue 3."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numcodecs
import numpy as np
import pytest
import zarr

import zarrcore
from zarrcore.testing.samples import DtypeCase, codec_cases, codec_data, dtype_cases

pytestmark = [
    pytest.mark.interop,
    # zarr 2.18 deprecates NestedDirectoryStore (zarr-python#1274); warned at our call site
    pytest.mark.filterwarnings("ignore:The NestedDirectoryStore is deprecated:FutureWarning"),
]

SHAPE = (7, 5)
CHUNKS = (3, 2)
LAYOUTS = ["flat", "nested"]
CASES = dtype_cases()


def zarr_store(path: Path, layout: str) -> Any:
    if layout == "nested":
        return zarr.NestedDirectoryStore(str(path))
    return zarr.DirectoryStore(str(path))


def assert_same(actual: np.ndarray, expected: np.ndarray) -> None:
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype
    if expected.dtype.hasobject:
        for got, want in zip(actual.flat, expected.flat, strict=True):
            if isinstance(want, np.ndarray):
                np.testing.assert_array_equal(got, want)
                assert got.dtype == want.dtype
            else:
                assert got == want
    elif expected.dtype.fields is not None:
        assert actual.tobytes() == expected.tobytes()
    else:
        np.testing.assert_array_equal(actual, expected)


def same_fill(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float | np.floating) and math.isnan(a):
        return bool(np.isnan(b))
    if isinstance(a, np.complexfloating):
        return bool(np.array_equal(np.array(a), np.array(b), equal_nan=True))
    if isinstance(a, np.datetime64 | np.timedelta64):
        return bool(np.array(a).view("i8") == np.array(b).view("i8"))
    if isinstance(a, np.void):
        return a.tobytes() == b.tobytes()
    return bool(a == b)


def case_fill(case: DtypeCase) -> Any:
    fill = case.fill_value
    if np.dtype(case.dtype).kind == "c" and isinstance(fill, list):
        return complex(*(float(x) for x in fill))
    return fill


def write_with_zarr(path: Path, layout: str, case: DtypeCase) -> np.ndarray:
    root = zarr.group(store=zarr_store(path, layout))
    z = root.create_dataset(
        "a",
        shape=SHAPE,
        chunks=CHUNKS,
        dtype=case.dtype,
        fill_value=case_fill(case),
        object_codec=case.object_codec,
    )
    data = case.make(SHAPE)
    z[:4] = data[:4]  # rows 6.. stay missing: read as fill
    z.attrs["units"] = "m"
    z.attrs["nan"] = math.nan
    root.attrs["title"] = "zarr2"
    return np.asarray(z[...])


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_zarrcore_reads_what_zarr2_wrote(tmp_path: Path, layout: str, case: DtypeCase) -> None:
    expected = write_with_zarr(tmp_path, layout, case)
    z = zarr.open_array(str(tmp_path / "a"), mode="r") if layout == "flat" else None
    group = zarrcore.open(str(tmp_path), mode="r")
    assert isinstance(group, zarrcore.Group)
    assert group.attrs["title"] == "zarr2"
    arr = group["a"]
    assert isinstance(arr, zarrcore.Array)
    assert arr.attrs["units"] == "m"
    assert math.isnan(arr.attrs["nan"])
    assert_same(arr[...], expected)
    assert_same(arr[1:6:2, -1], expected[1:6:2, -1])
    if z is not None:
        assert same_fill(arr.fill_value, z.fill_value)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_zarr2_reads_what_zarrcore_wrote(tmp_path: Path, layout: str, case: DtypeCase) -> None:
    separator = "/" if layout == "nested" else "."
    group = zarrcore.open_group(str(tmp_path / "ours"), mode="w")
    group.attrs["title"] = "zarrcore"
    arr = group.create_array(
        "a",
        shape=SHAPE,
        chunks=CHUNKS,
        dtype=case.dtype,
        fill_value=case_fill(case),
        object_codec=case.object_codec,
        dimension_separator=separator,
    )
    data = case.make(SHAPE)
    arr[:4] = data[:4]
    arr[5, 1:] = data[5, 1:]
    arr.attrs.update({"units": "m", "nan": math.nan})
    group.close()

    reference = zarr.group(store=zarr_store(tmp_path / "ref", layout)).create_dataset(
        "a",
        shape=SHAPE,
        chunks=CHUNKS,
        dtype=case.dtype,
        fill_value=case_fill(case),
        object_codec=case.object_codec,
    )
    reference[:4] = data[:4]
    reference[5, 1:] = data[5, 1:]

    z = zarr.open_group(str(tmp_path / "ours"), mode="r")
    assert z.attrs["title"] == "zarrcore"
    assert z["a"].attrs["units"] == "m"
    assert_same(np.asarray(z["a"][...]), np.asarray(reference[...]))
    assert same_fill(z["a"].fill_value, reference.fill_value)
    # same metadata document as zarr-python 2 (which omits the default "." separator)
    ours = json.loads((tmp_path / "ours" / "a" / ".zarray").read_text())
    theirs = json.loads((tmp_path / "ref" / "a" / ".zarray").read_text())
    theirs.setdefault("dimension_separator", ".")
    assert ours == theirs
    # and the same chunk files
    ours_files = sorted(
        p.relative_to(tmp_path / "ours" / "a") for p in (tmp_path / "ours" / "a").rglob("*")
    )
    theirs_files = sorted(
        p.relative_to(tmp_path / "ref" / "a") for p in (tmp_path / "ref" / "a").rglob("*")
    )
    assert [str(p) for p in ours_files if p.name != ".zattrs"] == [
        str(p) for p in theirs_files if p.name != ".zattrs"
    ]


CODEC_CASES = [(c.name, c.dtype, c.compressor, c.filters) for c in codec_cases()]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(
    ("name", "dtype", "compressor", "filters"), CODEC_CASES, ids=[c[0] for c in CODEC_CASES]
)
def test_codecs_round_trip_both_ways(
    tmp_path: Path, layout: str, name: str, dtype: str, compressor: Any, filters: Any
) -> None:
    data = codec_data(dtype, SHAPE)
    fill = "" if dtype == "|O" else 0
    # zarr-python writes, zarrcore reads
    z = zarr.group(store=zarr_store(tmp_path / "z", layout)).create_dataset(
        "a",
        shape=SHAPE,
        chunks=CHUNKS,
        dtype=dtype,
        compressor=compressor,
        filters=filters,
        fill_value=fill,
    )
    z[...] = data
    expected = np.asarray(z[...])
    arr = zarrcore.open_array(str(tmp_path / "z"), mode="r", path="a")
    assert_same(arr[...], expected)
    # zarrcore writes, zarr-python reads
    group = zarrcore.open_group(str(tmp_path / "c"), mode="w")
    ours = group.create_array(
        "a",
        shape=SHAPE,
        chunks=CHUNKS,
        dtype=dtype,
        compressor=compressor,
        filters=filters,
        fill_value=fill,
        dimension_separator="/" if layout == "nested" else ".",
    )
    ours[...] = data
    back = zarr.open_array(str(tmp_path / "c" / "a"), mode="r")
    assert_same(np.asarray(back[...]), expected)
    assert back.compressor == compressor
    # identical chunk bytes for deterministic codecs
    if compressor is None or name.startswith(
        ("zlib", "crc", "adler", "fletcher", "jenkins", "none")
    ):
        key = "1/1" if layout == "nested" else "1.1"
        assert (tmp_path / "c" / "a" / key).read_bytes() == (
            tmp_path / "z" / "a" / key
        ).read_bytes()


def test_legacy_nested_array_without_separator_is_probed(tmp_path: Path) -> None:
    root = zarr.group(store=zarr.NestedDirectoryStore(str(tmp_path)))
    z = root.create_dataset("a", shape=(4, 4), chunks=(2, 2), dtype="<i4", fill_value=-1)
    z[...] = np.arange(16).reshape(4, 4)
    meta_path = tmp_path / "a" / ".zarray"
    meta = json.loads(meta_path.read_text())
    del meta["dimension_separator"]
    meta_path.write_text(json.dumps(meta))
    arr = zarrcore.open_array(str(tmp_path), path="a")
    np.testing.assert_array_equal(arr[...], np.arange(16).reshape(4, 4))
    assert arr.chunk_keys()[1] == "a/0/1"


def test_slash_metadata_over_flat_files_reads_flat_chunks(tmp_path: Path) -> None:
    z = zarr.open_array(str(tmp_path / "a"), mode="w", shape=(4, 4), chunks=(2, 2), dtype="<i2")
    z[...] = 5
    meta_path = tmp_path / "a" / ".zarray"
    meta = json.loads(meta_path.read_text())
    meta["dimension_separator"] = "/"
    meta_path.write_text(json.dumps(meta))
    arr = zarrcore.open_array(str(tmp_path / "a"))
    np.testing.assert_array_equal(arr[...], np.full((4, 4), 5, "<i2"))
    assert arr.chunk_info((1, 1)).key == "1.1"


def test_f_order_chunks_match_zarr2(tmp_path: Path) -> None:
    data = np.arange(35, dtype="<u2").reshape(SHAPE)
    z = zarr.open_array(
        str(tmp_path / "z"),
        mode="w",
        shape=SHAPE,
        chunks=CHUNKS,
        dtype="<u2",
        order="F",
        compressor=None,
    )
    z[...] = data
    arr = zarrcore.open_array(str(tmp_path / "z"))
    np.testing.assert_array_equal(arr[...], data)
    group = zarrcore.open_group(str(tmp_path / "c"), mode="w")
    ours = group.create_array("a", data=data, chunks=CHUNKS, order="F", compressor=None)
    assert ours.order == "F"
    assert (tmp_path / "c" / "a" / "0.0").read_bytes() == (tmp_path / "z" / "0.0").read_bytes()


def test_pickle_is_refused_unless_allowed(tmp_path: Path) -> None:
    z = zarr.open_array(
        str(tmp_path),
        mode="w",
        shape=(3,),
        chunks=(2,),
        dtype=object,
        object_codec=numcodecs.Pickle(),
    )
    z[...] = np.array([{"a": 1}, [2], "x"], dtype=object)
    arr = zarrcore.open_array(str(tmp_path))
    assert arr.shape == (3,)  # metadata still browsable
    with pytest.raises(zarrcore.errors.PickleRefusedError, match="pickle") as info:
        arr[...]
    assert info.value.url
    trusted = zarrcore.open_array(str(tmp_path), allow_pickle=True)
    assert list(trusted[...]) == [{"a": 1}, [2], "x"]


def test_consolidated_metadata_interop(tmp_path: Path) -> None:
    root = zarr.group(store=zarr.DirectoryStore(str(tmp_path)))
    root.create_dataset("x/y", shape=(3,), chunks=(2,), dtype="f4", fill_value=math.nan)
    root.attrs["a"] = 1
    zarr.consolidate_metadata(str(tmp_path))
    group = zarrcore.open_consolidated(str(tmp_path))
    assert group.attrs["a"] == 1
    assert group["x/y"].shape == (3,)
    # and ours is readable by zarr-python, byte for byte the same document
    expected = (tmp_path / ".zmetadata").read_bytes()
    (tmp_path / ".zmetadata").unlink()
    zarrcore.consolidate_metadata(str(tmp_path))
    ours = json.loads((tmp_path / ".zmetadata").read_bytes())
    assert ours == json.loads(expected)
    assert zarr.open_consolidated(str(tmp_path)).attrs["a"] == 1


F_ORDER_CASES = [
    ("delta", "<i4", numcodecs.Zlib(1), [numcodecs.Delta(dtype="<i4")], None),
    ("blosc", ">f8", numcodecs.Blosc("zstd", 3, 2), None, None),
    ("fixedscaleoffset", "<f8", None, [numcodecs.FixedScaleOffset(10, 100, "<f8", "<i4")], None),
    ("vlen-utf8", object, numcodecs.Zstd(), None, numcodecs.VLenUTF8()),
    ("unicode", "<U3", numcodecs.Zlib(1), None, None),
    ("structured", [("a", "<i2"), ("b", ">f4", (2,))], None, None, None),
]


@pytest.mark.parametrize(
    ("name", "dtype", "compressor", "filters", "object_codec"),
    F_ORDER_CASES,
    ids=[c[0] for c in F_ORDER_CASES],
)
def test_f_order_with_filters_and_object_codecs_both_ways(
    tmp_path: Path, name: str, dtype: Any, compressor: Any, filters: Any, object_codec: Any
) -> None:
    n = int(np.prod(SHAPE))
    if object_codec is not None:
        data = np.empty(n, dtype=object)
        data[:] = [f"v{i}" for i in range(n)]
        data = data.reshape(SHAPE)
    elif isinstance(dtype, list):
        data = np.zeros(SHAPE, dtype=dtype)
        data["a"] = np.arange(n).reshape(SHAPE)
        data["b"] = np.arange(2 * n).reshape((*SHAPE, 2)) / 4
    elif np.dtype(dtype).kind == "U":
        data = np.array([f"u{i}" for i in range(n)], dtype=dtype).reshape(SHAPE)
    else:
        data = (np.arange(n) * 1.5).astype(dtype).reshape(SHAPE)
    kwargs = {"compressor": compressor, "filters": filters, "order": "F", "fill_value": None}
    z = zarr.open_array(
        str(tmp_path / "z"),
        mode="w",
        shape=SHAPE,
        chunks=CHUNKS,
        dtype=dtype,
        object_codec=object_codec,
        **kwargs,
    )
    z[...] = data
    expected = np.asarray(z[...])
    assert_same(zarrcore.open_array(str(tmp_path / "z"))[...], expected)
    ours = zarrcore.open_group(str(tmp_path / "c"), mode="w").create_array(
        "a", shape=SHAPE, chunks=CHUNKS, dtype=dtype, object_codec=object_codec, **kwargs
    )
    ours[...] = data
    assert_same(np.asarray(zarr.open_array(str(tmp_path / "c" / "a"), mode="r")[...]), expected)
    if compressor is None or name in ("delta", "unicode"):
        assert (tmp_path / "c" / "a" / "1.1").read_bytes() == (tmp_path / "z" / "1.1").read_bytes()
