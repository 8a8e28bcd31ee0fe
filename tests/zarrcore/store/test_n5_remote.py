"""N5 containers on S3 (loopback moto): found by their attributes.json, read and written both
ways with zarr-python 2.18's fsspec ``N5FSStore``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numcodecs
import numpy as np
import pytest
import zarr

import zarrcore
from zarrcore.store.n5 import N5Store
from zarrcore.testing.servers import s3_client, unique_name

pytestmark = [
    pytest.mark.s3,
    pytest.mark.interop,
    # zarr-python 2.18 deprecates N5FSStore (zarr-python#1274); attributed to this module
    pytest.mark.filterwarnings("ignore:The N5FSStore is deprecated:FutureWarning"),
]

KEY, SECRET = "n5-key", "n5-secret"


@pytest.fixture
def n5_on_s3(s3_endpoint: str) -> Iterator[tuple[str, dict[str, Any]]]:
    client = s3_client(s3_endpoint, KEY, SECRET)
    bucket = unique_name("n5")
    client.create_bucket(Bucket=bucket)
    yield (
        f"s3://{bucket}/volumes/sample.n5",
        {
            "endpoint_url": s3_endpoint,
            "key": KEY,
            "secret": SECRET,
        },
    )
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            client.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
    client.delete_bucket(Bucket=bucket)


def _zarr_store(url: str, options: dict[str, Any]) -> Any:
    return zarr.N5FSStore(
        url,
        key=options["key"],
        secret=options["secret"],
        client_kwargs={"endpoint_url": options["endpoint_url"]},
    )


def test_zarr_n5_on_s3_opens_in_zarrcore(n5_on_s3: tuple[str, dict[str, Any]]) -> None:
    url, options = n5_on_s3
    root = zarr.group(store=_zarr_store(url, options))
    root.attrs["where"] = "s3"
    values = np.arange(7 * 9, dtype="i2").reshape(7, 9)
    root.create_dataset("raw/s0", data=values, chunks=(4, 4), compressor=numcodecs.GZip(1))
    group = zarrcore.open_group(url, mode="r", **options)
    assert isinstance(group.store, N5Store)
    assert group.attrs["where"] == "s3"
    np.testing.assert_array_equal(group["raw/s0"][...], values)


def test_zarrcore_n5_on_s3_reads_in_zarr(n5_on_s3: tuple[str, dict[str, Any]]) -> None:
    url, options = n5_on_s3
    from zarrcore.store.s3 import S3Store

    store = N5Store(S3Store.from_url(url, read_only=False, **options))
    group = zarrcore.open_group(store, mode="w")
    values = np.linspace(0, 1, 30, dtype="f4").reshape(5, 6)
    array = group.create_array("a", shape=(5, 6), chunks=(2, 4), dtype="f4", compressor=None)
    array[...] = values
    array.attrs["unit"] = "um"
    store.close()
    theirs = zarr.open_group(store=_zarr_store(url, options), mode="r")["a"]
    np.testing.assert_array_equal(theirs[...], values)
    assert dict(theirs.attrs) == {"unit": "um"}
    reopened = zarrcore.open_group(url, mode="r", **options)
    assert json.loads(reopened.store.get("a/.zarray"))["shape"] == [5, 6]
