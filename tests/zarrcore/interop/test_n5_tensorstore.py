"""N5 interop with tensorstore's ``n5`` driver (another N5 implementation), both ways.

tensorstore lives in the reference venv and runs through ``zarrcore.testing.refengine``; one
subprocess per direction keeps this cheap. tensorstore has no N5 lz4, so lz4 is covered by
the byte-built LZ4Block fixtures in tests/zarrcore/store/test_n5.py instead.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import zarrcore
from zarrcore.testing.refengine import run_ref

pytestmark = pytest.mark.interop

COMPRESSIONS = {
    "raw": {"type": "raw"},
    "gzip": {"type": "gzip", "level": 5},
    "zlib": {"type": "gzip", "useZlib": True},
    "bzip2": {"type": "bzip2", "blockSize": 4},
    "xz": {"type": "xz", "preset": 2},
    "blosc": {"type": "blosc", "cname": "zstd", "clevel": 3, "shuffle": 2},
    "zstd": {"type": "zstd", "level": 3},
}
DTYPES = {
    "raw": "uint8",
    "gzip": "int16",
    "zlib": "uint32",
    "bzip2": "int64",
    "xz": "float32",
    "blosc": "float64",
    "zstd": "uint16",
}


def _expected(dtype: str) -> np.ndarray:
    return (
        ((np.arange(7 * 5 * 3) * 13 % 255) - (0 if dtype[0] == "u" else 100))
        .reshape(3, 5, 7)
        .astype(dtype)
    )


def test_tensorstore_written_n5_reads_in_zarrcore(tmp_path: Path) -> None:
    path = tmp_path / "ts.n5"
    run_ref(
        """
import tensorstore as ts, numpy as np
for name, comp in args["compressions"].items():
    dtype = args["dtypes"][name]
    t = ts.open({"driver": "n5", "kvstore": {"driver": "file", "path": args["path"] + "/" + name},
                 "metadata": {"dimensions": [7, 5, 3], "blockSize": [3, 2, 2],
                              "dataType": dtype, "compression": comp}},
                create=True).result()
    values = ((np.arange(105) * 13 % 255) - (0 if dtype[0] == "u" else 100))
    # tensorstore indexes N5 in N5 axis order: transpose the zarr-order values
    t[...] = values.reshape(3, 5, 7).astype(dtype).T
""",
        path=str(path),
        compressions=COMPRESSIONS,
        dtypes=DTYPES,
    )
    for name, dtype in DTYPES.items():
        array = zarrcore.open_array(str(path), path=name)
        assert array.shape == (3, 5, 7) and array.chunks == (2, 2, 3)
        np.testing.assert_array_equal(array[...], _expected(dtype), err_msg=name)


def test_zarrcore_written_n5_reads_in_tensorstore(tmp_path: Path) -> None:
    import numcodecs

    path = tmp_path / "zc.n5"
    compressors = {
        "raw": None,
        "gzip": numcodecs.GZip(5),
        "zlib": numcodecs.Zlib(1),
        "bzip2": numcodecs.BZ2(4),
        "xz": numcodecs.LZMA(preset=2),
        "blosc": numcodecs.Blosc(cname="zstd", clevel=3, shuffle=numcodecs.Blosc.BITSHUFFLE),
        "zstd": numcodecs.Zstd(level=3),
    }
    group = zarrcore.open_group(str(path), mode="w")
    for name, dtype in DTYPES.items():
        array = group.create_array(
            name, shape=(3, 5, 7), chunks=(2, 2, 3), dtype=dtype, compressor=compressors[name]
        )
        array[...] = _expected(dtype)
    out = run_ref(
        """
import tensorstore as ts
for name in args["names"]:
    t = ts.open({"driver": "n5", "kvstore": {"driver": "file",
                                             "path": args["path"] + "/" + name}}).result()
    save(name, t.read().result().T)  # back to zarr axis order
""",
        path=str(path),
        names=list(DTYPES),
    )
    for name, dtype in DTYPES.items():
        np.testing.assert_array_equal(out.arrays[name], _expected(dtype), err_msg=name)
