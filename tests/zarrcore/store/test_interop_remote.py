"""Array-level interop with zarr-python 2.18 on the remote stores, both directions.

zarr-python writes a hierarchy through its own RedisStore, MongoDBStore, ABSStore and
FSStore-over-s3fs into the loopback servers; zarrcore opens the same data by URL and must
read groups, attributes, several dtypes/codecs, a NaN fill value and missing chunks
identically. Then zarrcore writes the hierarchy and zarr-python reads it back.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import zarrcore

zarr = pytest.importorskip("zarr")
numcodecs = pytest.importorskip("numcodecs")

from zarrcore.testing.servers import require_env, s3_client, unique_name  # noqa: E402

pytestmark = [
    pytest.mark.interop,
    # zarr-python 2.18 deprecates the Redis and MongoDB stores we test against; the warning
    # is attributed to this module (stacklevel=2), so pyproject's zarr filter misses it
    # (zarr-python#1274)
    pytest.mark.filterwarnings("ignore:The .*Store is deprecated:FutureWarning"),
]

S3_KEY, S3_SECRET = "interop-key", "interop-secret"
MONGO_SERVER = os.environ.get("ZARRSCOPE_TEST_MONGODB_SERVER", "unnamed-server")


@dataclass(frozen=True)
class ArraySpec:
    path: str
    data: np.ndarray
    chunks: tuple[int, ...]
    fill_value: Any
    compressor: Any
    filters: list[Any] | None = None
    order: str = "C"
    dimension_separator: str = "."
    #: region left unwritten so its chunks stay missing (None: write everything)
    written: tuple[slice, ...] | None = None


def _specs() -> list[ArraySpec]:
    floats = np.arange(10 * 13, dtype="<f8").reshape(10, 13) / 7
    return [
        ArraySpec(
            "grp/floats_nan",
            floats,
            (5, 7),
            np.nan,
            numcodecs.Blosc(cname="zstd", clevel=3, shuffle=numcodecs.Blosc.SHUFFLE),
            written=(slice(0, 5), slice(0, 9)),
        ),
        ArraySpec(
            "grp/sub/ints",
            (np.arange(7 * 9, dtype="<i2").reshape(7, 9) * 3 - 50),
            (4, 5),
            -1,
            numcodecs.Zlib(level=4),
            filters=[numcodecs.Delta(dtype="<i2")],
        ),
        ArraySpec("bytes_u1", np.arange(100, dtype="u1"), (50,), 7, None),
        ArraySpec(
            "f_order",
            np.arange(30, dtype=">f4").reshape(6, 5),
            (4, 3),
            0.0,
            numcodecs.GZip(level=1),
            order="F",
        ),
        ArraySpec(
            "nested_sep",
            np.arange(36, dtype="<u4").reshape(6, 6),
            (4, 4),
            0,
            numcodecs.LZ4(),
            dimension_separator="/",
        ),
        ArraySpec("flags", np.array([True, False, True, True, False]), (2,), False, None),
    ]


ROOT_ATTRS = {"title": "interop ✓", "n": 3, "nested": {"a": [1, 2.5, None]}}
GROUP_ATTRS = {"units": "m", "scale": [0.5, 0.5]}


def _expected(spec: ArraySpec) -> np.ndarray:
    if spec.written is None:
        return spec.data
    out = np.full_like(spec.data, spec.fill_value)
    out[spec.written] = spec.data[spec.written]
    return out


def write_with_zarr(store: Any) -> None:
    root = zarr.group(store=store)  # a fresh location: nothing to overwrite
    root.attrs.update(ROOT_ATTRS)
    root.create_group("grp").attrs.update(GROUP_ATTRS)
    for spec in _specs():
        arr = root.create_dataset(
            spec.path,
            shape=spec.data.shape,
            chunks=spec.chunks,
            dtype=spec.data.dtype,
            fill_value=spec.fill_value,
            compressor=spec.compressor,
            filters=spec.filters,
            order=spec.order,
            dimension_separator=spec.dimension_separator,
        )
        region = spec.written or tuple(slice(None) for _ in spec.data.shape)
        arr[region] = spec.data[region]
        arr.attrs["path"] = spec.path


def write_with_zarrcore(url: str, options: dict[str, Any]) -> None:
    root = zarrcore.open_group(url, mode="w", **options)
    root.attrs.update(ROOT_ATTRS)
    root.create_group("grp").attrs.update(GROUP_ATTRS)
    for spec in _specs():
        arr = root.create_array(
            spec.path,
            shape=spec.data.shape,
            chunks=spec.chunks,
            dtype=spec.data.dtype,
            fill_value=spec.fill_value,
            compressor=spec.compressor,
            filters=spec.filters,
            order=spec.order,
            dimension_separator=spec.dimension_separator,
        )
        region = spec.written or tuple(slice(None) for _ in spec.data.shape)
        arr[region] = spec.data[region]
        arr.attrs["path"] = spec.path
    root.close()


def check_zarrcore_reads(url: str, options: dict[str, Any], context: str) -> None:
    root = zarrcore.open_group(url, mode="r", **options)
    assert dict(root.attrs) == ROOT_ATTRS, context
    assert dict(root["grp"].attrs) == GROUP_ATTRS, context
    assert [name for name, _ in root.groups()] == ["grp"], context
    for spec in _specs():
        arr = root[spec.path]
        assert arr.shape == spec.data.shape and arr.dtype == spec.data.dtype, spec.path
        assert tuple(arr.chunks) == spec.chunks, spec.path
        np.testing.assert_array_equal(arr[...], _expected(spec), err_msg=f"{context} {spec.path}")
        assert dict(arr.attrs) == {"path": spec.path}
    floats = root["grp/floats_nan"]
    assert np.isnan(floats.fill_value)
    assert np.isnan(floats[9, 12]) and floats[0, 0] == 0.0
    root.close()


def check_zarr_reads(store: Any, context: str) -> None:
    root = zarr.open_group(store=store, mode="r")
    assert root.attrs.asdict() == ROOT_ATTRS, context
    assert root["grp"].attrs.asdict() == GROUP_ATTRS, context
    for spec in _specs():
        arr = root[spec.path]
        assert arr.shape == spec.data.shape and arr.dtype == spec.data.dtype, spec.path
        assert arr.chunks == spec.chunks and arr.order == spec.order, spec.path
        np.testing.assert_array_equal(arr[...], _expected(spec), err_msg=f"{context} {spec.path}")
        assert arr.attrs.asdict() == {"path": spec.path}
    assert np.isnan(root["grp/floats_nan"].fill_value)
    assert "grp/floats_nan/1.1" not in store  # missing chunk stays missing
    assert "nested_sep/0/0" in store


@dataclass
class Backend:
    """How zarr-python and zarrcore each reach the same location on one server."""

    name: str
    url: str
    options: dict[str, Any]
    zarr_store: Callable[[], Any]
    cleanup: Callable[[], None]


def _redis() -> Backend:
    import redis

    base = require_env("ZARRSCOPE_TEST_REDIS_URL")
    prefix = unique_name("interop")

    def zarr_store() -> Any:
        conn = redis.Redis.from_url(base).connection_pool.connection_kwargs
        return zarr.storage.RedisStore(
            prefix=prefix, host=conn["host"], port=conn["port"], db=conn.get("db", 0)
        )

    def cleanup() -> None:
        with redis.Redis.from_url(base) as raw:
            names = list(raw.scan_iter(match=f"{prefix}:*"))
            if names:
                raw.delete(*names)

    return Backend("redis", f"{base}?prefix={prefix}", {}, zarr_store, cleanup)


def _mongodb() -> Backend:
    import pymongo

    base = require_env("ZARRSCOPE_TEST_MONGODB_URL").rstrip("/")
    collection = unique_name("interop").replace("-", "_")

    def zarr_store() -> Any:
        return zarr.storage.MongoDBStore(
            database="zarrscope_interop", collection=collection, host=base + "/"
        )

    def cleanup() -> None:
        client: Any = pymongo.MongoClient(base + "/")
        client["zarrscope_interop"].drop_collection(collection)
        client.close()

    url = f"{base}/?database=zarrscope_interop&collection={collection}"
    return Backend(f"mongodb[{MONGO_SERVER}]", url, {}, zarr_store, cleanup)


def _azure() -> Backend:
    from azure.storage.blob import BlobServiceClient, ContainerClient

    conn = require_env("ZARRSCOPE_TEST_AZURE_CONNECTION_STRING")
    name = unique_name("interop")
    BlobServiceClient.from_connection_string(conn).create_container(name)

    def zarr_store() -> Any:
        client = ContainerClient.from_connection_string(conn, name)
        return zarr.storage.ABSStore(container=name, prefix="data/root", client=client)

    def cleanup() -> None:
        BlobServiceClient.from_connection_string(conn).delete_container(name)

    return Backend(
        "azure", f"az://{name}/data/root", {"connection_string": conn}, zarr_store, cleanup
    )


def _s3() -> Backend:
    endpoint = require_env("ZARRSCOPE_TEST_S3_ENDPOINT")
    bucket = unique_name("interop")
    client = s3_client(endpoint, S3_KEY, S3_SECRET)
    client.create_bucket(Bucket=bucket)

    def zarr_store() -> Any:
        return zarr.storage.FSStore(
            f"s3://{bucket}/data/root",
            key=S3_KEY,
            secret=S3_SECRET,
            client_kwargs={"endpoint_url": endpoint},
            skip_instance_cache=True,
            use_listings_cache=False,
        )

    def cleanup() -> None:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:
                client.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
        client.delete_bucket(Bucket=bucket)

    options = {"endpoint_url": endpoint, "key": S3_KEY, "secret": S3_SECRET}
    return Backend("s3", f"s3://{bucket}/data/root", options, zarr_store, cleanup)


BACKENDS: dict[str, Callable[[], Backend]] = {
    "redis": _redis,
    f"mongodb[{MONGO_SERVER}]": _mongodb,
    "azure": _azure,
    "s3": _s3,
}


@pytest.fixture(params=list(BACKENDS))
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    made = BACKENDS[request.param]()
    yield made
    made.cleanup()


def test_zarrcore_reads_what_zarr_python_2_wrote(backend: Backend) -> None:
    store = backend.zarr_store()
    try:
        write_with_zarr(store)
        assert "grp/floats_nan/1.1" not in store and "nested_sep/0/0" in store
    finally:
        _close(store)
    check_zarrcore_reads(backend.url, backend.options, f"server: {backend.name}")


def test_zarr_python_2_reads_what_zarrcore_wrote(backend: Backend) -> None:
    write_with_zarrcore(backend.url, backend.options)
    store = backend.zarr_store()
    try:
        check_zarr_reads(store, f"server: {backend.name}")
    finally:
        _close(store)


def _close(zarr_store: Any) -> None:
    close = getattr(zarr_store, "close", None)
    if close is not None:
        close()
    client = getattr(zarr_store, "client", None)  # ABSStore's ContainerClient
    if client is not None and hasattr(client, "close"):
        client.close()


def test_zarrcore_reads_zarr_2_3_leading_slash_azure_blobs() -> None:
    """zarr 2.3's ABSStore named blobs '/' + key for an empty prefix (zarr-python#525)."""
    from azure.storage.blob import BlobServiceClient

    conn = require_env("ZARRSCOPE_TEST_AZURE_CONNECTION_STRING")
    items: dict[str, bytes] = {}
    write_with_zarr(items)
    service = BlobServiceClient.from_connection_string(conn)
    container = service.create_container(unique_name("legacy"))
    try:
        for key, value in items.items():
            container.upload_blob("/" + key, value)
        url = f"az://{container.container_name}"
        check_zarrcore_reads(url, {"connection_string": conn}, "azure, zarr 2.3 blob names")
    finally:
        container.delete_container()
        container.close()
        service.close()
