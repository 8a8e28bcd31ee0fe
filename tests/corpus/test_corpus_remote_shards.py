"""Corpus: sharded v3 arrays written by zarr-python 3.1, copied byte for byte to the loopback
S3, Azure, Redis and MongoDB servers, read back with zarrcore's remote reads (ranged on S3
and Azure: the shard index, then only the inner chunks a selection needs) and compared with
what zarr-python read. zarr-python 3 has no Redis or MongoDB store; the key layout is the
same as in a directory, so the copied bytes are what such a store holds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import REF_CASES, LazyCorpus, ref_group
from test_corpus import selections, shard_selections

import zarrcore
from zarrcore.testing.corpus import Case, same_data
from zarrcore.testing.servers import require_env, s3_client, unique_name
from zarrcore.url import open_store

pytestmark = [pytest.mark.interop, pytest.mark.filterwarnings("ignore::UserWarning")]

S3_KEY, S3_SECRET = "corpus-key", "corpus-secret"


def _pick() -> list[Case]:
    """One local zarr-python 3.1 case per sharded chain, sparse ones first."""
    chosen: dict[str, Case] = {}
    order = {"sparse": 0, "islands": 1, "partial": 2, "full": 3, "none": 4}
    for case in sorted(REF_CASES, key=lambda c: (order.get(c.params.get("pattern"), 9), c.id)):
        chain = case.params.get("chain", "")
        if case.writer == "zarr3" and case.store == "local" and case.params.get("shards"):
            if case.params["dtype_name"] in ("string", "vbytes"):
                continue
            chosen.setdefault(chain, case)
    return [chosen[c] for c in sorted(chosen)]


CASES = _pick()


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("s3", marks=pytest.mark.s3),
        pytest.param("azure", marks=pytest.mark.azure),
        pytest.param("redis", marks=pytest.mark.redis),
        pytest.param("mongodb", marks=pytest.mark.mongodb),
    ],
)
def remote(request: pytest.FixtureRequest) -> Iterator[tuple[str, dict[str, Any]]]:
    """(store URL, zarrcore options) of a fresh bucket/container/prefix/collection; removed
    afterwards."""
    if request.param == "redis":
        base = require_env("ZARRSCOPE_TEST_REDIS_URL").split("?", 1)[0]
        url = f"{base}?prefix={unique_name('shards')}"
        yield url, {}
        _clear(url)
        return
    if request.param == "mongodb":
        base = require_env("ZARRSCOPE_TEST_MONGODB_URL").rstrip("/")
        url = f"{base}/?database=corpus_shards&collection={unique_name('shards').replace('-', '_')}"
        yield url, {}
        _clear(url)
        return
    if request.param == "s3":
        endpoint = require_env("ZARRSCOPE_TEST_S3_ENDPOINT")
        client = s3_client(endpoint, S3_KEY, S3_SECRET)
        bucket = unique_name("shards")
        client.create_bucket(Bucket=bucket)
        yield (
            f"s3://{bucket}",
            {"endpoint_url": endpoint, "key": S3_KEY, "secret": S3_SECRET},
        )
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:
                client.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
        client.delete_bucket(Bucket=bucket)
    else:
        from azure.storage.blob import BlobServiceClient

        conn = require_env("ZARRSCOPE_TEST_AZURE_CONNECTION_STRING")
        name = unique_name("shards")
        service = BlobServiceClient.from_connection_string(conn)
        service.create_container(name)
        yield f"az://{name}", {"connection_string": conn}
        service.delete_container(name)


def _clear(url: str) -> None:
    """Delete every key the test wrote under ``url``."""
    store = open_store(url, mode="a")
    try:
        for key in list(store.list_prefix("")):
            store.delete(key)
    finally:
        store.close()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_sharded_case_on_remote_store(
    case: Case, ref_corpus: LazyCorpus, remote: tuple[str, dict[str, Any]]
) -> None:
    exp = ref_corpus.get(ref_group(case))[case.id]
    local = Path(exp.url) / exp.path
    url, options = remote
    store = open_store(url, mode="a", **options)
    try:
        for path in sorted(p for p in local.rglob("*") if p.is_file()):
            store.set(f"{case.id}/{path.relative_to(local).as_posix()}", path.read_bytes())
    finally:
        store.close()
    arr = zarrcore.open_array(url, mode="r", path=case.id, **options)
    try:
        got = np.asarray(arr[...])
        want = exp.data.astype(got.dtype)
        problems = [f"data: {d}"] if (d := same_data(got, want)) else []
        shape = tuple(want.shape)
        for sel in selections(shape) + shard_selections(case, shape):
            diff = same_data(np.asarray(arr[sel]), np.asarray(want[sel]))
            if diff:
                problems.append(f"data[{sel}]: {diff}")
    finally:
        arr.close()
    assert not problems, "\n".join(problems)
