"""zarr v2 data written by zarr-python 3.1 (compact JSON, bare NaN in consolidated metadata,
``""`` fills, v2 chunk key encoding with ``/``) reads identically, and zarr-python 3 reads the
v2 hierarchies zarrcore writes. One reference subprocess per direction."""

from __future__ import annotations

import math
from pathlib import Path

import numcodecs
import numpy as np
import pytest

import zarrcore
from zarrcore.testing.refengine import RefResult, ref_available, run_ref

pytestmark = [
    pytest.mark.interop,
    pytest.mark.skipif(not ref_available(), reason="reference venv (.venv-ref) not installed"),
]

WRITER = r"""
import numpy as np, zarr, numcodecs
root = zarr.open_group(args["path"], mode="w", zarr_format=2)
root.attrs["nan"] = float("nan")
root.attrs["title"] = "zarr3-v2"
names = []
def make(name, data, **kw):
    arr = root.create_array(name, shape=data.shape, dtype=kw.pop("dtype", data.dtype), **kw)
    arr[...] = data
    arr.attrs["name"] = name
    save(name, arr[...])
    names.append(name)
rng = np.random.default_rng(1)
make("u2_blosc", rng.integers(0, 999, (9, 7)).astype("u2"), chunks=(4, 3),
     compressors=numcodecs.Blosc("lz4", 5, 2))
make("f4_nan_fill", rng.standard_normal((6, 5)).astype("f4"), chunks=(4, 4),
     fill_value=float("nan"))
make("be_i8_zstd", np.arange(20, dtype=">i8").reshape(4, 5), chunks=(3, 3),
     compressors=numcodecs.Zstd(level=3))
make("S4", np.array([b"ab", b"c", b"", b"dddd"], dtype="S4"), chunks=(3,))
make("U3", np.array(["x", "yz", "é"], dtype="U3"), chunks=(2,))
make("str", np.array(["a", "bb", "", "héllo"], dtype=object), dtype=str, chunks=(3,))
make("f_order", rng.standard_normal((5, 6)), chunks=(2, 4), order="F")
make("nested_sep", np.arange(30, dtype="i2").reshape(5, 6), chunks=(2, 4),
     chunk_key_encoding={"name": "v2", "separator": "/"})
make("delta_gzip", np.arange(40, dtype="<i4").reshape(8, 5), chunks=(3, 5),
     filters=[numcodecs.Delta(dtype="<i4")], compressors=numcodecs.GZip(level=1))
make("bool", np.array([True, False, True]), chunks=(2,))
make("c16", (np.arange(6) + 1j).astype("c16"), chunks=(4,))
make("M8", np.arange(5).astype("M8[D]"), chunks=(2,))
sub = root.create_group("sub")
sub.attrs["inner"] = [1, 2]
zarr.consolidate_metadata(args["path"])
result = {"names": names}
"""

READER = r"""
import zarr
for consolidated in (False, True):
    root = (zarr.open_consolidated(args["path"], zarr_format=2) if consolidated
            else zarr.open_group(args["path"], mode="r", zarr_format=2))
    names = sorted(name for name, _ in root.arrays())
    for name in names:
        save(f"{consolidated}/{name}", root[name][...])
result = {"names": names, "attrs": dict(root.attrs), "child": dict(root["g"].attrs)}
"""


def assert_same(actual: np.ndarray, expected: np.ndarray) -> None:
    assert actual.shape == expected.shape
    if actual.dtype.hasobject or expected.dtype.hasobject:
        assert list(actual.reshape(-1)) == list(expected.reshape(-1))
        return
    assert actual.dtype == expected.dtype
    assert actual.tobytes() == expected.tobytes()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RefResult]:
    path = tmp_path_factory.mktemp("z3v2") / "h.zarr"
    return path, run_ref(WRITER, path=str(path))


@pytest.mark.parametrize("consolidated", [False, True])
def test_zarrcore_reads_zarr3_written_v2(
    written: tuple[Path, RefResult], consolidated: bool
) -> None:
    path, ref = written
    root = (
        zarrcore.open_consolidated(str(path))
        if consolidated
        else zarrcore.open_group(str(path), mode="r")
    )
    assert math.isnan(root.attrs["nan"]) and root.attrs["title"] == "zarr3-v2"
    assert root["sub"].attrs["inner"] == [1, 2]
    assert sorted(root.array_keys()) == sorted(ref.result["names"])
    for name in ref.result["names"]:
        arr = root[name]
        assert isinstance(arr, zarrcore.Array)
        assert arr.attrs["name"] == name
        assert_same(arr[...], ref.arrays[name])
    if not consolidated:
        assert zarrcore.check_consolidated(str(path)).up_to_date


def test_zarr3_reads_zarrcore_written_v2(tmp_path: Path) -> None:
    path = tmp_path / "ours.zarr"
    root = zarrcore.open_group(str(path), mode="w")
    root.attrs.update({"title": "zarrcore", "nan": math.nan})
    root.create_group("g", attributes={"k": "v"})
    rng = np.random.default_rng(5)
    data = {
        "u2": rng.integers(0, 999, (9, 7)).astype("u2"),
        "f8_f": rng.standard_normal((5, 6)),
        "S3": np.array([b"a", b"bc", b""], dtype="S3"),
        "unicode": np.array(["é", "xy"], dtype="U2"),
        "nested": np.arange(30, dtype=">i4").reshape(5, 6),
    }
    root.create_array("u2", data=data["u2"], chunks=(4, 3), compressor=numcodecs.Zstd(1))
    root.create_array("f8_f", data=data["f8_f"], chunks=(2, 4), order="F", fill_value=math.nan)
    root.create_array("S3", data=data["S3"], chunks=(2,))
    root.create_array("unicode", data=data["unicode"], chunks=(1,), compressor=None)
    root.create_array("nested", data=data["nested"], chunks=(2, 4), dimension_separator="/")
    strings = np.empty(3, dtype=object)
    strings[:] = ["a", "", "héllo"]
    data["str"] = strings
    root.create_array(
        "str", data=strings, chunks=(2,), object_codec=numcodecs.VLenUTF8(), fill_value=""
    )
    zarrcore.consolidate_metadata(str(path))
    ref = run_ref(READER, path=str(path))
    assert ref.result["names"] == sorted(data)
    assert ref.result["attrs"]["title"] == "zarrcore" and ref.result["child"] == {"k": "v"}
    for consolidated in ("False", "True"):
        for name, expected in data.items():
            assert_same(ref.arrays[f"{consolidated}/{name}"], expected)
