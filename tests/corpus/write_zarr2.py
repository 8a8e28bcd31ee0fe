"""Write the zarr-python 2.18 part of the corpus (test-only: imports zarr).

One store per store kind holds every case of that kind, as ``<dtype_name>/<case id>`` under a
root group with attributes. :func:`write_store` returns what zarr-python itself reads back for
each case (the expected result) and the URL zarrcore should open.
"""

from __future__ import annotations

import contextlib
import json
import math
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numcodecs
import numpy as np
import zarr

from zarrcore.testing.corpus import Case, dtype_of, make_data, seed_of

ATTRS: dict[str, Any] = {
    "nan": math.nan,
    "inf": math.inf,
    "ninf": -math.inf,
    "nested": {"a": [1, 2.5, {"b": None}], "t": True, "e": [], "o": {}},
    "unicode": "µm é 😀",
    "big": 2**62,
    "neg": -1,
    "tiny": 1e-300,
}


@dataclass
class Expected:
    data: np.ndarray | None
    fill_value: Any
    dtype: np.dtype[Any]
    attrs: dict[str, Any]
    url: str
    path: str
    consolidated: bool = False
    error: str | None = None  # zarr-python itself could not read it back
    intended: np.ndarray | None = None  # what was written (before lossy filters)
    options: dict[str, Any] = field(default_factory=dict)  # zarrcore open options
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Written:
    url: str
    consolidated: bool
    tree: dict[str, Any]  # path -> {"kind", "attrs", "members"} as zarr-python sees it
    cases: dict[str, Expected]
    options: dict[str, Any] = field(default_factory=dict)


def fill_of(token: str, spec: Any, object_codec: dict[str, Any] | None) -> Any:
    dt = dtype_of(spec)
    kind = dt.kind
    if token == "none":
        return None
    if token == "zero":
        return 0
    if token == "true":
        return True
    if token == "odd":
        if kind in "mM":
            return np.array(12345, dtype="i8").view(dt.newbyteorder("="))[()]
        return -7 if kind == "i" else 7
    if token == "big":
        return 2**62 + 1
    if token == "max":
        return int(np.iinfo(dt).max)
    if token == "nan":
        return math.nan
    if token == "inf":
        return math.inf
    if token == "ninf":
        return -math.inf
    if token == "frac":
        return -0.25
    if token == "cplx":
        return 1.5 - 2j
    if token == "cnan":
        return complex(math.nan, 2.0)
    if token == "nat":
        return np.array("NaT", dtype=dt.newbyteorder("="))[()]
    if token == "bytes1":
        return b"z"
    if token == "bytes":
        return b"ab\x00c"
    if token == "bempty":
        return b""
    if token == "str":
        if kind == "O":
            return "fill" if object_codec and object_codec["id"] != "json2" else "m"
        return "é€x"[: dt.itemsize // 4]
    if token == "empty":
        return ""
    if token == "void":
        return np.frombuffer(b"\x01\x02\x03", dtype=dt)[0]
    raise ValueError(token)


REMOTE: dict[str, str] = {}  # store kind -> zarrcore URL of the remote location
REMOTE_OPTIONS: dict[str, dict[str, Any]] = {}  # store kind -> zarrcore open options
S3_KEY, S3_SECRET = "corpus-key", "corpus-secret"


def _s3(read: bool) -> Any:
    from zarrcore.testing.servers import require_env, s3_bucket

    endpoint = require_env("ZARRSCOPE_TEST_S3_ENDPOINT")
    if not read:
        bucket = s3_bucket(endpoint, "corpus", S3_KEY, S3_SECRET)
        REMOTE["s3"] = f"s3://{bucket}/corpus/root"
        REMOTE_OPTIONS["s3"] = {"endpoint_url": endpoint, "key": S3_KEY, "secret": S3_SECRET}
    return zarr.storage.FSStore(
        REMOTE["s3"],
        key=S3_KEY,
        secret=S3_SECRET,
        client_kwargs={"endpoint_url": endpoint},
        skip_instance_cache=True,
        use_listings_cache=False,
    )


def _azure(read: bool) -> Any:
    from azure.storage.blob import BlobServiceClient, ContainerClient

    from zarrcore.testing.servers import require_env, unique_name

    conn = require_env("ZARRSCOPE_TEST_AZURE_CONNECTION_STRING")
    if not read:
        name = unique_name("corpus")
        BlobServiceClient.from_connection_string(conn).create_container(name)
        REMOTE["azure"] = f"az://{name}/corpus/root"
        REMOTE_OPTIONS["azure"] = {"connection_string": conn}
    name = REMOTE["azure"].split("/")[2]
    client = ContainerClient.from_connection_string(conn, name)
    return zarr.storage.ABSStore(container=name, prefix="corpus/root", client=client)


def _remote(kind: str, root: Path, *, read: bool = False) -> Any:
    """zarr-python's remote stores at a unique location on the loopback servers."""
    from zarrcore.testing.servers import require_env, unique_name

    if kind == "s3":
        return _s3(read)
    if kind == "azure":
        return _azure(read)

    if kind == "redis":
        import redis

        base = require_env("ZARRSCOPE_TEST_REDIS_URL")
        if not read:
            REMOTE[kind] = f"{base}?prefix={unique_name('corpus')}"
        prefix = REMOTE[kind].split("prefix=")[1]
        conn = redis.Redis.from_url(base).connection_pool.connection_kwargs
        return zarr.storage.RedisStore(
            prefix=prefix, host=conn["host"], port=conn["port"], db=conn.get("db", 0)
        )
    base = require_env("ZARRSCOPE_TEST_MONGODB_URL").rstrip("/")
    if not read:
        name = unique_name("corpus").replace("-", "_")
        REMOTE[kind] = f"{base}/?database=zarrscope_corpus&collection={name}"
    collection = REMOTE[kind].split("collection=")[1]
    return zarr.storage.MongoDBStore(
        database="zarrscope_corpus", collection=collection, host=base + "/"
    )


def _store(kind: str, root: Path) -> tuple[Any, Path]:
    if kind in ("redis", "mongodb", "s3", "azure"):
        return _remote(kind, root), root
    if kind in ("dir", "dir_slash", "consolidated"):
        return zarr.DirectoryStore(str(root / f"{kind}.zarr")), root / f"{kind}.zarr"
    if kind in ("nested", "legacy_nested"):
        return zarr.NestedDirectoryStore(str(root / f"{kind}.zarr")), root / f"{kind}.zarr"
    if kind == "dir_norm":  # keys lower-cased on write (FORMATS pitfall 16)
        path = root / "dir_norm.zarr"
        return zarr.DirectoryStore(str(path), normalize_keys=True), path
    if kind == "fsstore":
        path = root / "fsstore.zarr"
        return zarr.storage.FSStore(str(path), key_separator="/"), path
    if kind == "zip_noext":  # a zip file named like a directory store: found by its magic
        path = root / "zip_noext.zarr"
        return zarr.ZipStore(str(path), mode="w"), path
    if kind == "zip_deflated":
        path = root / "zip_deflated.zip"
        return zarr.ZipStore(str(path), mode="w", compression=zipfile.ZIP_DEFLATED), path
    if kind in ("zip", "zip_dup", "consolidated_zip"):
        path = root / f"{kind}.zip"
        return zarr.ZipStore(str(path), mode="w" if kind != "zip_dup" else "a"), path
    if kind == "sqlite":
        path = root / "sqlite.db"
        return zarr.SQLiteStore(str(path)), path
    if kind == "n5":
        path = root / "n5.n5"
        return zarr.N5Store(str(path)), path
    if kind == "n5fs":
        path = root / "n5fs.n5"
        return zarr.N5FSStore(str(path)), path
    raise ValueError(kind)


def _region(shape: tuple[int, ...]) -> tuple[slice, ...]:
    if not shape:
        return ()
    return (slice(0, (shape[0] + 1) // 2), *(slice(None) for _ in shape[1:]))


def _write_case(group: Any, case: Case, *, dup: bool) -> Any:
    p = case.params
    dt = dtype_of(p["dtype"])
    codec = p["object_codec"]
    fill = fill_of(p["fill"], p["dtype"], codec)
    kwargs: dict[str, Any] = {
        "shape": tuple(p["shape"]),
        "chunks": tuple(p["chunks"]) if p["chunks"] else True,
        "dtype": dt,
        "compressor": numcodecs.get_codec(p["compressor"]) if p["compressor"] else None,
        "filters": [numcodecs.get_codec(dict(f)) for f in p["filters"]] if p["filters"] else None,
        "order": p["order"],
        "fill_value": fill,
        "write_empty_chunks": p["pattern"] != "sparse_skip",
    }
    if codec is not None:
        kwargs["object_codec"] = numcodecs.get_codec(dict(codec))
    if case.store not in ("n5", "n5fs", "nested", "legacy_nested"):
        kwargs["dimension_separator"] = p["sep"]
    name = case.id
    z = group.create_dataset(name, **kwargs)
    shape = tuple(p["shape"])
    data = make_data(p["dtype"], shape, seed_of(case.id), codec)
    if any("astype" in f for f in p["filters"] or []) and dt.kind in "iu":
        data = np.clip(data, 0, 50).astype(dt)  # differences/casts must fit the narrow type
    pattern = p["pattern"]
    base = _filled(shape, dt, fill)
    if dup and math.prod(shape):
        base = make_data(p["dtype"], shape, seed_of(case.id) + 1, codec)
        z[...] = base
        base = base.copy()
    if pattern == "full":
        base = data
        z[...] = data
    elif pattern == "partial":
        base[_region(shape)] = data[_region(shape)]
        z[_region(shape)] = data[_region(shape)]
    elif pattern == "sparse_skip":
        flat = base.reshape(-1)
        src = data.reshape(-1)
        for k in range(0, flat.size, max(1, flat.size // 3)):
            flat[k] = src[k]
        z[...] = base
    elif dup:
        base = _filled(shape, dt, fill)
        z[...] = base
    z.attrs.update({**ATTRS, "case": case.id})
    return base


def _filled(shape: tuple[int, ...], dt: np.dtype[Any], fill: Any) -> np.ndarray:
    """What a fresh array reads as: fill everywhere (zeros, or None items, for a null fill)."""
    if dt.kind == "O":
        return np.full(shape, fill, dtype=object)
    if fill is None:
        return np.zeros(shape, dtype=dt)
    return np.full(shape, fill, dtype=dt)


def write_store(kind: str, cases: list[Case], root: Path) -> Written:
    """Write every case of one store kind; read back with zarr-python for the expectations."""
    import numcodecs.pickles

    store, path = _store(kind, root)
    numcodecs.pickles.ALLOW_UNSAFE_PICKLE_DECODE = True  # zip_dup rewrites pickled chunks
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        top = zarr.group(store=store, overwrite=kind in ("zip_dup",))
        top.attrs.update({"store": kind, "nan": math.nan, "list": [1, "a"]})
        empty = top.create_group("empty_group")
        empty.attrs["e"] = 1
        top.create_group("deep").create_group("er").create_group("est")
        intended = {}
        for case in cases:
            grp = top.require_group(case.params["dtype_name"])
            intended[case.id] = _write_case(grp, case, dup=kind == "zip_dup")
        if kind.startswith("consolidated"):
            zarr.consolidate_metadata(store)
        if hasattr(store, "close"):
            store.close()
        if kind == "legacy_nested":
            for zarray in path.rglob(".zarray"):
                meta = json.loads(zarray.read_text())
                meta.pop("dimension_separator", None)
                zarray.write_text(json.dumps(meta, indent=4, sort_keys=True))
        written = _expectations(kind, cases, path)
    for case in cases:
        written.cases[case.id].intended = intended[case.id]
    return written


def _reopen(kind: str, path: Path) -> Any:
    if kind in ("redis", "mongodb", "s3", "azure"):
        return _remote(kind, path, read=True)
    if kind in ("nested", "legacy_nested"):
        return zarr.NestedDirectoryStore(str(path))
    if kind == "dir_norm":
        return zarr.DirectoryStore(str(path), normalize_keys=True)
    if kind == "fsstore":
        return zarr.storage.FSStore(str(path), key_separator="/", mode="r")
    if "zip" in kind:
        return zarr.ZipStore(str(path), mode="r")
    if kind == "sqlite":
        return zarr.SQLiteStore(str(path))
    if kind == "n5":
        return zarr.N5Store(str(path))
    if kind == "n5fs":
        return zarr.N5FSStore(str(path))
    return zarr.DirectoryStore(str(path))


def _tree(group: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}

    def visit(node: Any, prefix: str) -> None:
        members = sorted(node.keys())
        out[prefix] = {"kind": "group", "attrs": dict(node.attrs), "members": members}
        for name in members:
            child = node[name]
            path = f"{prefix}/{name}" if prefix else name
            if isinstance(child, zarr.Group):
                visit(child, path)

    visit(group, "")
    return out


def _expectations(kind: str, cases: list[Case], path: Path) -> Written:
    import numcodecs.pickles

    previous = getattr(numcodecs.pickles, "ALLOW_UNSAFE_PICKLE_DECODE", False)
    numcodecs.pickles.ALLOW_UNSAFE_PICKLE_DECODE = True  # our own data, written just now
    try:
        return _read_back(kind, cases, path)
    finally:
        numcodecs.pickles.ALLOW_UNSAFE_PICKLE_DECODE = previous


def _read_back(kind: str, cases: list[Case], path: Path) -> Written:
    store = _reopen(kind, path)
    consolidated = kind.startswith("consolidated")
    top = (
        zarr.open_consolidated(store, mode="r")
        if consolidated
        else zarr.open_group(store, mode="r")
    )
    expected: dict[str, Expected] = {}
    for case in cases:
        node_path = f"{case.params['dtype_name']}/{case.id}"
        try:
            z = top[node_path]
            if z.fill_value is None and z.dtype.kind != "O":
                # missing chunks are undefined with a null fill: zarrcore uses zeros
                data = z.get_basic_selection(Ellipsis, out=np.zeros(z.shape, dtype=z.dtype))
            else:
                data = z[...]
            err = None
        except Exception as exc:  # zarr itself cannot read it back
            data, err = None, f"{type(exc).__name__}: {exc}"
            z = None
        expected[case.id] = Expected(
            data=None if data is None else np.asarray(data),
            fill_value=None if z is None else z.fill_value,
            dtype=np.dtype(z.dtype) if z is not None else dtype_of(case.params["dtype"]),
            attrs=dict(z.attrs) if z is not None else {},
            url=REMOTE.get(kind, str(path)),
            options=REMOTE_OPTIONS.get(kind, {}),
            path=node_path,
            consolidated=consolidated,
            error=err,
        )
    tree = _tree(top)
    if hasattr(store, "close"):
        store.close()
    return Written(
        REMOTE.get(kind, str(path)), consolidated, tree, expected, REMOTE_OPTIONS.get(kind, {})
    )


def cleanup_remote() -> None:
    """Remove what the corpus wrote to the loopback servers (best effort)."""
    for kind, url in list(REMOTE.items()):
        with contextlib.suppress(Exception):  # a server already gone: nothing to clean
            _cleanup(kind, url)
        REMOTE.pop(kind, None)


def _cleanup(kind: str, url: str) -> None:
    if kind == "redis":
        import redis

        base, prefix = url.split("?prefix=")
        with redis.Redis.from_url(base) as raw:
            names = list(raw.scan_iter(match=f"{prefix}:*"))
            if names:
                raw.delete(*names)
    elif kind == "mongodb":
        import pymongo

        base = url.split("/?")[0]
        client: Any = pymongo.MongoClient(base + "/")
        client["zarrscope_corpus"].drop_collection(url.split("collection=")[1])
        client.close()
    elif kind == "s3":
        from zarrcore.testing.servers import s3_client

        client = s3_client(REMOTE_OPTIONS["s3"]["endpoint_url"], S3_KEY, S3_SECRET)
        bucket = url.split("/")[2]
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:
                client.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
        client.delete_bucket(Bucket=bucket)
    elif kind == "azure":
        from azure.storage.blob import BlobServiceClient

        conn = REMOTE_OPTIONS["azure"]["connection_string"]
        BlobServiceClient.from_connection_string(conn).delete_container(url.split("/")[2])
