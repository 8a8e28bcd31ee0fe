"""A sharded, consolidated zarr v3 hierarchy on every kind of store: write, reopen through
the consolidated metadata, read a region with ranged reads."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import zarrcore
from zarrcore.store.base import Store
from zarrcore.store.wrappers import CountingStore
from zarrcore.testing.servers import require_env, s3_client, unique_name

DATA = np.arange(64 * 48, dtype="u2").reshape(64, 48)
StoreMaker = Callable[[bool], Store]


def _exercise(make: StoreMaker) -> None:
    store = make(False)
    root = zarrcore.open_group(store, mode="w", zarr_format=3)
    root.create_array(
        "img",
        shape=DATA.shape,
        chunks=(16, 16),
        shards=(32, 48),
        dtype="u2",
        dimension_names=["y", "x"],
    )[...] = DATA
    root.create_group("meta").create_array("names", shape=(3,), chunks=(2,), dtype=str)[...] = [
        "a",
        "bé",
        "",
    ]
    zarrcore.consolidate_metadata(store)
    store.close()

    counting = CountingStore(make(True))
    try:
        _check(counting, make)
    finally:
        counting.close()


def _check(counting: CountingStore, make: StoreMaker) -> None:
    group = zarrcore.open_consolidated(counting)
    arr = group["img"]
    assert isinstance(arr, zarrcore.Array)
    counting.reset()
    np.testing.assert_array_equal(arr[16:32, 16:32], DATA[16:32, 16:32])
    counts = counting.counts
    assert counting.reads <= 3
    if counting.supports_partial_reads:
        assert counts.get("get_many_keys", 0) == 0 and counts.get("get", 0) == 0
    else:  # the whole shard, once
        assert counts.get("get", 0) == 1 and counts.get("get_range", 0) == 0
    np.testing.assert_array_equal(arr[...], DATA)
    assert group["meta/names"][...].tolist() == ["a", "bé", ""]
    checker = make(True)
    try:
        assert zarrcore.check_consolidated(checker).up_to_date
    finally:
        checker.close()


def test_memory_store() -> None:
    from zarrcore.store.memory import MemoryStore

    name = unique_name("v3")
    _exercise(lambda read_only: MemoryStore(name, read_only=read_only))


def test_zip_store(tmp_path: Path) -> None:
    from zarrcore.store.zip import ZipStore

    _exercise(lambda read_only: ZipStore(tmp_path / "h.zip", read_only=read_only))


def test_sqlite_store(tmp_path: Path) -> None:
    url = str(tmp_path / "h.db")
    _exercise(lambda read_only: zarrcore.open_store(url, mode="r" if read_only else "a"))


def test_directory_store(tmp_path: Path) -> None:
    url = str(tmp_path / "h.zarr")
    _exercise(lambda read_only: zarrcore.open_store(url, mode="r" if read_only else "a"))


@pytest.mark.redis
def test_redis_store() -> None:
    url = require_env("ZARRSCOPE_TEST_REDIS_URL")
    prefix = unique_name("v3")
    _exercise(
        lambda read_only: zarrcore.open_store(url, mode="r" if read_only else "a", prefix=prefix)
    )


@pytest.fixture
def s3_bucket() -> Iterator[tuple[str, str]]:
    endpoint = require_env("ZARRSCOPE_TEST_S3_ENDPOINT")
    client: Any = s3_client(endpoint, "testing-key", "testing-secret-5xyz")
    name = unique_name("zs")
    client.create_bucket(Bucket=name)
    yield endpoint, name
    for item in client.list_objects_v2(Bucket=name).get("Contents", []):
        client.delete_object(Bucket=name, Key=item["Key"])
    client.delete_bucket(Bucket=name)


@pytest.mark.s3
def test_s3_store(s3_bucket: tuple[str, str]) -> None:
    endpoint, bucket = s3_bucket
    url = f"s3://{bucket}/h.zarr"
    _exercise(
        lambda read_only: zarrcore.open_store(
            url,
            mode="r" if read_only else "a",
            endpoint_url=endpoint,
            key="testing-key",
            secret="testing-secret-5xyz",
        )
    )


@pytest.mark.azure
def test_azure_store() -> None:
    from azure.storage.blob import BlobServiceClient

    conn = require_env("ZARRSCOPE_TEST_AZURE_CONNECTION_STRING")
    name = unique_name("zs")
    service = BlobServiceClient.from_connection_string(conn)
    container = service.create_container(name)
    try:
        _exercise(
            lambda read_only: zarrcore.open_store(
                f"az://{name}/h.zarr", mode="r" if read_only else "a", connection_string=conn
            )
        )
    finally:
        container.delete_container()


@pytest.mark.mongodb
def test_mongodb_store() -> None:
    import pymongo

    url = require_env("ZARRSCOPE_TEST_MONGODB_URL")
    name = unique_name("zarr").replace("-", "_")
    collection_url = f"{url.rstrip('/')}/?database=zarrscope_tests&collection={name}"
    try:
        _exercise(
            lambda read_only: zarrcore.open_store(collection_url, mode="r" if read_only else "a")
        )
    finally:
        client: Any = pymongo.MongoClient(url, serverSelectionTimeoutMS=5000)
        client["zarrscope_tests"].drop_collection(name)
        client.close()
