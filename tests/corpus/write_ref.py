# ruff: noqa: E501  (the reference snippet is code inside a string)
"""Write the reference-engine part of the corpus (zarr-python 3.1, tensorstore) in .venv-ref.

One subprocess per (writer, store) group; the snippet writes every case, reopens it and saves
what the reference engine reads back (the expectation) plus its fill value and attributes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from zarrcore.testing.corpus import Case
from zarrcore.testing.refengine import run_ref

SNIPPET = r"""
import math, json, os, warnings, zlib
import numpy as np
warnings.simplefilter("ignore")
root_dir = args["root"]
cases = args["cases"]
writer = args["writer"]
store_kind = args["store"]
meta = {}

def make(dtype, shape, seed):
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape)) if shape else 1
    if dtype == "string":
        return np.array(["é€😀x"[: k % 4] * (k % 3) + str(i)
                         for i, k in enumerate(rng.integers(0, 9, n))], dtype=object).reshape(shape)
    if dtype in ("vbytes",):
        return np.array([bytes(rng.integers(0, 256, k % 5, dtype=np.uint8))
                         for k in rng.integers(0, 9, n)] + [b""], dtype=object)[:n].reshape(shape)
    dt = np.dtype([tuple(f) for f in dtype]) if isinstance(dtype, list) else np.dtype(dtype)
    if dt.fields is not None:
        v = np.zeros(n, dt)
        v["a"] = rng.integers(-100, 100, n)
        v["b"] = np.arange(n) * 0.5
        return v.reshape(shape)
    k = dt.kind
    if k == "b":
        v = rng.integers(0, 2, n).astype(bool)
    elif k in "iu":
        info = np.iinfo(dt)
        v = rng.integers(max(info.min, -100), min(info.max, 100) + 1, n).astype(dt)
        if n > 3:
            v[1] = info.max
    elif k == "f":
        v = (rng.standard_normal(n) * 10).astype(dt)
        if n > 5:
            v[3], v[4], v[5] = np.nan, np.inf, -np.inf
    elif k == "c":
        v = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(dt)
    elif k in "mM":
        v = rng.integers(-10**6, 10**6, n).astype("i8").view(dt.newbyteorder("=")).astype(dt)
        if n > 2:
            v[2] = np.array("NaT", dtype=v.dtype)
    elif k == "S":
        v = np.array([bytes(rng.choice(list(b"abc\x00"), dt.itemsize)) for _ in range(n)], dt)
    elif k == "U":
        v = np.array(["".join(rng.choice(list("aé€😀"), int(rng.integers(0, dt.itemsize // 4 + 1))))
                      for _ in range(n)], dtype=dt)
    elif k == "V":
        v = np.frombuffer(rng.integers(0, 256, n * dt.itemsize, dtype=np.uint8).tobytes(), dt)
    return np.array(v).reshape(shape)

def fill_of(tok, dtype):
    if tok in ("default", "null"):
        return None
    if dtype in ("string",):
        return "fill"
    dt = np.dtype([tuple(f) for f in dtype]) if isinstance(dtype, list) else np.dtype(dtype) \
        if dtype not in ("vbytes", "str") else np.dtype(object)
    return {"true": True, "odd": -7 if dt.kind == "i" else 7, "max": (np.iinfo(dt).max
            if dt.kind in "iu" else None), "nan": math.nan, "inf": math.inf, "ninf": -math.inf,
            "frac": -0.25, "cplx": 1.5 - 2j, "cnan": complex(math.nan, 2.0),
            "nat": np.datetime64("NaT"), "bytes": b"zz", "hexnan": math.nan,
            "hexpayload": math.nan, "str": "é€x"[: max(1, dt.itemsize // 4)]}[tok]

ATTRS = {"nan": math.nan, "inf": math.inf, "nested": {"a": [1, 2.5, None], "t": True},
         "unicode": "µm 😀", "big": 2**62}

def region(shape):
    return (slice(0, (shape[0] + 1) // 2),) + tuple(slice(None) for _ in shape[1:]) if shape else ()

def sparse(shape):
    return tuple(slice(0, min(2, s)) for s in shape)

def write_data(a, data, pattern):
    if pattern == "full" or not data.shape:
        a[...] = data
    elif pattern == "partial":
        a[region(data.shape)] = data[region(data.shape)]
    elif pattern == "sparse":
        a[sparse(data.shape)] = data[sparse(data.shape)]
        last = tuple(slice(max(0, s - 1), s) for s in data.shape)
        a[last] = data[last]
    elif pattern == "islands":  # three boxes: whole and partial inner chunks, empty shards
        for k in range(3):
            box = tuple(slice(k * s // 3 + 5, k * s // 3 + 5 + s // 5) for s in data.shape)
            a[box] = data[box]

def patch_fill(path, value):
    doc = os.path.join(path, "zarr.json")
    with open(doc) as f:
        m = json.load(f)
    m["fill_value"] = value
    with open(doc, "w") as f:
        json.dump(m, f)

def readback(name, a):
    data = a[...]
    save(name, data)
    fv = a.fill_value
    if isinstance(fv, np.generic):
        fv = fv.item()
    if isinstance(fv, bytes):
        fv = {"bytes": list(fv)}
    elif isinstance(fv, complex):
        fv = {"complex": [repr(fv.real), repr(fv.imag)]}
    elif isinstance(fv, float):
        fv = {"float": repr(fv)}
    elif not isinstance(fv, (int, str, bool, type(None))):
        fv = {"repr": repr(fv)}
    attrs = dict(getattr(a, "attrs", {}) or {})
    meta[name] = {"fill": fv, "dtype": str(np.asarray(data).dtype.str), "attrs": json.dumps(attrs)}

def run_zarr3():
    import zarr
    from zarr.codecs import (BloscCodec, BytesCodec, Crc32cCodec, GzipCodec, ShardingCodec,
                             TransposeCodec, VLenBytesCodec, VLenUTF8Codec, ZstdCodec)
    import zarr.codecs.numcodecs as nc
    from zarr.core.dtype import VariableLengthBytes
    path = os.path.join(root_dir, "store.zip" if store_kind == "zip" else "store.zarr")
    store = zarr.storage.ZipStore(path, mode="w") if store_kind == "zip" else path
    root = zarr.open_group(store, mode="w", zarr_format=3)
    root.attrs.update({"writer": "zarr3", "nan": math.nan})
    root.create_group("empty").attrs["e"] = 1
    for c in cases:
        p = c["params"]
        dtype = p["dtype"]
        data = make(dtype, p["shape"], zlib.crc32(c["id"].encode()))
        ndim = len(p["shape"])
        rev = tuple(range(ndim))[::-1]
        itemsz = data.dtype.itemsize
        ser = {"string": VLenUTF8Codec(), "vbytes": VLenBytesCodec()}.get(p["dtype_name"], BytesCodec())
        kw = {}
        ch = p["chain"]
        chunks = tuple(p["chunks"])
        inner = chunks
        if p["shards"]:
            chunks = tuple(p["shards"])
        if ch == "raw": kw["compressors"] = None
        elif ch == "gzip5": kw["compressors"] = GzipCodec(level=5)
        elif ch == "zstd3_checksum": kw["compressors"] = ZstdCodec(level=3, checksum=True)
        elif ch == "zstd_neg": kw["compressors"] = ZstdCodec(level=-2)
        elif ch == "blosc_lz4_shuffle": kw["compressors"] = BloscCodec(cname="lz4", clevel=5, shuffle="shuffle")
        elif ch == "blosc_zstd_bitshuffle": kw["compressors"] = BloscCodec(cname="zstd", clevel=3, shuffle="bitshuffle")
        elif ch == "blosc_blosclz_noshuffle": kw["compressors"] = BloscCodec(cname="blosclz", clevel=5, shuffle="noshuffle")
        elif ch == "blosc_zlib_shuffle": kw["compressors"] = BloscCodec(cname="zlib", clevel=5, shuffle="shuffle")
        elif ch == "blosc_lz4hc": kw["compressors"] = BloscCodec(cname="lz4hc", clevel=9, shuffle="shuffle")
        elif ch == "zstd_crc32c": kw["compressors"] = [ZstdCodec(level=1), Crc32cCodec()]
        elif ch == "transpose": kw["filters"] = TransposeCodec(order=rev)
        elif ch == "big": kw["serializer"] = BytesCodec(endian="big")
        elif ch == "full_chain":
            kw.update(filters=TransposeCodec(order=rev), serializer=BytesCodec(endian="big"),
                      compressors=[BloscCodec(cname="zstd", clevel=3, shuffle="bitshuffle"), Crc32cCodec()])
        elif ch == "nc_zlib": kw["compressors"] = [nc.Zlib(level=1)]
        elif ch == "nc_bz2": kw["compressors"] = [nc.BZ2(level=1)]
        elif ch == "nc_lzma": kw["compressors"] = [nc.LZMA()]
        elif ch == "nc_lz4": kw["compressors"] = [nc.LZ4()]
        elif ch == "nc_shuffle": kw["compressors"] = [nc.Shuffle(elementsize=itemsz)]
        elif ch == "nc_fletcher32": kw["compressors"] = [nc.Fletcher32()]
        elif ch == "nc_crc32": kw["compressors"] = [nc.CRC32()]
        elif ch == "nc_adler32": kw["compressors"] = [nc.Adler32()]
        elif ch == "nc_delta": kw["filters"] = [nc.Delta(dtype=data.dtype.str)]
        elif ch == "nc_fso": kw["filters"] = [nc.FixedScaleOffset(offset=10, scale=100, dtype=data.dtype.str, astype="<i4")]
        elif ch == "nc_quantize": kw["filters"] = [nc.Quantize(digits=2, dtype=data.dtype.str)]
        elif ch == "nc_bitround": kw["filters"] = [nc.BitRound(keepbits=6)]
        elif ch == "shard_end": kw.update(shards=chunks); chunks = inner
        elif ch == "shard_blosc":
            kw.update(shards=chunks, compressors=BloscCodec(cname="zstd", clevel=3, shuffle="bitshuffle")); chunks = inner
        elif ch == "shard_blosc_lz4":  # native bytes + blosc: the direct-decode read path
            kw.update(shards=chunks, compressors=BloscCodec(cname="lz4", clevel=5, shuffle="shuffle")); chunks = inner
        elif ch == "shard_nested":  # shards of shards (inner index at the start)
            half = tuple(c // 2 if c % 2 == 0 else c for c in inner)
            kw.update(compressors=None, serializer=ShardingCodec(chunk_shape=inner, codecs=[
                ShardingCodec(chunk_shape=half, codecs=[ser, ZstdCodec()], index_location="start")]))
        elif ch == "transpose_shard":  # transpose outside the sharding codec: the shard is
            # transposed whole, so its inner chunks must tile both orientations
            inner_t = tuple(math.gcd(a, b) for a, b in zip(chunks, chunks[::-1]))
            kw.update(filters=TransposeCodec(order=rev), compressors=None,
                      serializer=ShardingCodec(chunk_shape=inner_t, codecs=[ser, ZstdCodec()]))
        elif ch == "shard_start":
            kw.update(compressors=None, serializer=ShardingCodec(chunk_shape=inner, codecs=[ser, ZstdCodec()], index_location="start"))
        elif ch == "shard_start_gzip_big":
            kw.update(compressors=None, serializer=ShardingCodec(chunk_shape=inner, codecs=[BytesCodec(endian="big"), GzipCodec(level=1)], index_location="start"))
        elif ch == "shard_noindexcrc":
            kw.update(compressors=None, serializer=ShardingCodec(chunk_shape=inner, codecs=[ser], index_codecs=[BytesCodec()], index_location="end"))
        elif ch == "shard_transpose":
            kw.update(compressors=None, serializer=ShardingCodec(chunk_shape=inner, codecs=[TransposeCodec(order=rev), ser, BloscCodec(cname="lz4", clevel=5, shuffle="shuffle")]))
        keys = p["keys"]
        name, sep = keys.split("_")
        kw["chunk_key_encoding"] = {"name": name, "separator": "/" if sep == "slash" else "."}
        fill = fill_of(p["fill"], dtype)
        if fill is not None:
            kw["fill_value"] = fill
        if p["dims"]:
            kw["dimension_names"] = [None if i == 0 and ndim > 1 else f"d{i}" for i in range(ndim)]
        zdtype = {"string": str, "vbytes": VariableLengthBytes()}.get(p["dtype_name"], data.dtype)
        grp = root.require_group(p["dtype_name"])
        a = grp.create_array(c["id"], shape=tuple(p["shape"]), dtype=zdtype, chunks=chunks,
                             attributes={**ATTRS, "case": c["id"]}, **kw)
        write_data(a, data, p["pattern"])
        if p["fill"] in ("hexnan", "hexpayload") and store_kind != "zip":
            hexv = {"<f4": "0x7fc00000", "<f8": "0x7ff8000000000000"}[data.dtype.str]
            if p["fill"] == "hexpayload":
                hexv = hexv[:-1] + "1"
            patch_fill(os.path.join(path, p["dtype_name"], c["id"]), hexv)
    if store_kind == "consolidated":
        zarr.consolidate_metadata(path)
    if store_kind == "zip":
        store.close()
        store = zarr.storage.ZipStore(path, mode="r")
    top = zarr.open_group(store, mode="r")
    for c in cases:
        readback(c["id"], top[c["params"]["dtype_name"] + "/" + c["id"]])
    return path

def run_zarr3_v2():
    import zarr, numcodecs
    path = os.path.join(root_dir, "store.zarr")
    root = zarr.open_group(path, mode="w", zarr_format=2)
    root.attrs.update({"writer": "zarr3-v2", "nan": math.nan})
    root.create_group("empty")
    for c in cases:
        p = c["params"]
        dtype = p["dtype"]
        data = make("string" if dtype == "str" else dtype, p["shape"], zlib.crc32(c["id"].encode()))
        kw = {"compressors": numcodecs.get_codec(p["compressor"]) if p["compressor"] else None,
              "order": p["order"], "chunk_key_encoding": {"name": "v2", "separator": p["sep"]}}
        if p["fill"] == "nan":
            kw["fill_value"] = math.nan
        a = root.create_array(c["id"], shape=tuple(p["shape"]), chunks=tuple(p["chunks"]),
                              dtype=str if dtype == "str" else dtype,
                              attributes={**ATTRS, "case": c["id"]}, **kw)
        write_data(a, data, p["pattern"])
    if store_kind == "consolidated":
        zarr.consolidate_metadata(path)
    top = zarr.open_group(path, mode="r")
    for c in cases:
        readback(c["id"], top[c["id"]])
    return path

def run_ts():
    import tensorstore as ts
    path = os.path.join(root_dir, "store.n5" if writer == "ts-n5" else "store.zarr")
    for c in cases:
        p = c["params"]
        dt = np.dtype(p["dtype"])
        shape, chunks = p["shape"], p["chunks"]
        kv = {"driver": "file", "path": os.path.join(path, c["id"])}
        if writer == "ts-v2":
            fill = None if p["fill"] == "null" else 7
            spec = {"driver": "zarr", "kvstore": kv, "metadata": {
                "shape": shape, "chunks": chunks, "dtype": dt.str, "compressor": p["compressor"],
                "order": p["order"], "dimension_separator": p["sep"], "fill_value": fill}}
        elif writer == "ts-n5":
            spec = {"driver": "n5", "kvstore": kv, "metadata": {
                "dimensions": shape, "blockSize": chunks, "dataType": p["dtype"],
                "compression": p["compression"]}}
        else:
            bytes_ = {"name": "bytes", "configuration": {"endian": "little"}} if dt.itemsize > 1 \
                else {"name": "bytes"}
            big = {"name": "bytes", "configuration": {"endian": "big"}} if dt.itemsize > 1 else bytes_
            codecs = {
                "default": [bytes_],
                "gzip": [bytes_, {"name": "gzip", "configuration": {"level": 5}}],
                "zstd": [bytes_, {"name": "zstd", "configuration": {"level": 3}}],
                "blosc": [bytes_, {"name": "blosc", "configuration": {"cname": "lz4", "clevel": 5,
                          "shuffle": "shuffle", "typesize": dt.itemsize, "blocksize": 0}}],
                "crc32c": [bytes_, {"name": "crc32c"}],
                "transpose_big": [{"name": "transpose", "configuration": {"order": [2, 0, 1]}}, big],
            }.get(p["chain"])
            grid = chunks
            if codecs is None:
                grid = [chunks[0] * 2, chunks[1] * 2, chunks[2]]
                codecs = [{"name": "sharding_indexed", "configuration": {
                    "chunk_shape": chunks, "codecs": [bytes_, {"name": "zstd", "configuration": {"level": 1}}],
                    "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}],
                    "index_location": "start" if p["chain"] == "shard_start" else "end"}}]
            spec = {"driver": "zarr3", "kvstore": kv, "metadata": {
                "shape": shape, "data_type": dt.name,
                "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": grid}},
                "chunk_key_encoding": {"name": "default"}, "codecs": codecs,
                "fill_value": 7 if p["fill"] == "odd" else 0}}
        a = ts.open(spec, create=True, delete_existing=True).result()
        data = make(dt.str, shape, zlib.crc32(c["id"].encode()))
        a[: (shape[0] + 1) // 2].write(data[: (shape[0] + 1) // 2]).result()
        back = ts.open({"driver": spec["driver"], "kvstore": kv}).result().read().result()
        save(c["id"], back)
        meta[c["id"]] = {"fill": None, "dtype": back.dtype.str, "attrs": "{}"}
    return path

path = {"zarr3": run_zarr3, "zarr3-v2": run_zarr3_v2}.get(writer, run_ts)()
result = {"path": path, "meta": meta}
"""


@dataclass
class RefExpected:
    data: np.ndarray
    fill: Any
    dtype: str
    attrs: dict[str, Any]
    url: str
    path: str
    consolidated: bool


def _fill(encoded: Any) -> Any:
    if isinstance(encoded, dict):
        if "bytes" in encoded:
            return bytes(encoded["bytes"])
        if "complex" in encoded:
            return complex(float(encoded["complex"][0]), float(encoded["complex"][1]))
        if "float" in encoded:
            return float(encoded["float"])
        return encoded  # opaque repr: not compared
    return encoded


def write_group(group: str, cases: list[Case], root: Path) -> dict[str, RefExpected]:
    writer, store = group.split(":")
    payload = [{"id": c.id, "params": c.params} for c in cases]
    out = run_ref(SNIPPET, root=str(root), cases=payload, writer=writer, store=store, timeout_s=600)
    path = out.result["path"]
    expected: dict[str, RefExpected] = {}
    for case in cases:
        meta = out.result["meta"][case.id]
        if writer == "zarr3":
            node = f"{case.params['dtype_name']}/{case.id}"
            url = path
        elif writer == "zarr3-v2":
            node, url = case.id, path
        else:
            node, url = "", str(Path(path) / case.id)
        expected[case.id] = RefExpected(
            data=out.arrays[case.id],
            fill=_fill(meta["fill"]),
            dtype=meta["dtype"],
            attrs=json.loads(meta["attrs"]),
            url=url,
            path=node,
            consolidated=store == "consolidated",
        )
    return expected
