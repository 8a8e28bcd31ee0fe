"""GCSStore: no GCS emulator installs here, so the shared fsspec code path runs against
fsspec's in-memory filesystem (key mapping, listing, ranges, batching, error mapping)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from typing import Any

import fsspec
import pytest

from zarrcore.errors import AuthenticationError, NotFoundError, UnsupportedError
from zarrcore.store.base import Store
from zarrcore.store.fsspec_store import FsspecStore, is_unavailable_error
from zarrcore.store.gcs import GCSStore
from zarrcore.testing.servers import unique_name
from zarrcore.testing.store_contract import StoreContract, StoreFactory
from zarrcore.url import open_store, store_class


@pytest.fixture
def memory_fs() -> Iterator[tuple[Any, str]]:
    fs = fsspec.filesystem("memory")
    bucket = unique_name("gcs")
    fs.mkdir(f"/{bucket}")
    yield fs, bucket
    fs.rm(f"/{bucket}", recursive=True)


class TestGCSStoreOverMemoryFilesystem(StoreContract):
    check_url_contains = "gs://"

    @pytest.fixture
    def store_factory(self, memory_fs: tuple[Any, str]) -> StoreFactory:
        fs, bucket = memory_fs
        self._fs, self._root = fs, f"/{bucket}/root"

        def factory(*, read_only: bool = False) -> Store:
            return GCSStore.from_url(f"gs://{bucket}/root", read_only=read_only, fs=fs)

        return factory

    def raw_get(self, store: Store, key: str) -> bytes | None:
        path = f"{self._root}/{key}"
        return bytes(self._fs.cat_file(path)) if self._fs.isfile(path) else None

    def raw_set(self, store: Store, key: str, value: bytes) -> None:
        self._fs.pipe_file(f"{self._root}/{key}", value)


def test_layout_is_bucket_prefix_key(memory_fs: tuple[Any, str]) -> None:
    fs, bucket = memory_fs
    store = GCSStore.from_url(f"gs://{bucket}/a/b", read_only=False, fs=fs)
    store.set("x/.zarray", b"{}")
    assert fs.cat_file(f"/{bucket}/a/b/x/.zarray") == b"{}"


def test_missing_bucket_is_a_clear_not_found_error(memory_fs: tuple[Any, str]) -> None:
    fs, _ = memory_fs
    with pytest.raises(NotFoundError, match="bucket 'no-such-bucket' does not exist"):
        GCSStore.from_url("gs://no-such-bucket/x", read_only=True, fs=fs)


class _DenyingFS:
    """A filesystem whose every read is refused, like a 403 from GCS."""

    async_impl = False

    def _strip_protocol(self, path: str) -> str:
        return path

    def cat_file(self, path: str, start: Any = None, end: Any = None) -> bytes:
        raise PermissionError(f"403 Forbidden: {path}")

    def exists(self, path: str) -> bool:
        return True


def test_permission_error_is_not_read_as_missing() -> None:
    """FSStore turned a 403 into 'missing' (fill value); we keep them apart (pitfall 15)."""
    store = GCSStore.from_url("gs://b/x", read_only=True, fs=_DenyingFS())
    with pytest.raises(AuthenticationError):
        store.get("0.0")
    with pytest.raises(AuthenticationError):
        store.get_many(["0.0", "0.1"])


def test_connection_failures_are_classified_as_unavailable() -> None:
    class ClientConnectorError(OSError):
        pass

    assert is_unavailable_error(ClientConnectorError())
    assert is_unavailable_error(TimeoutError())
    assert not is_unavailable_error(FileNotFoundError())


@pytest.mark.skipif(importlib.util.find_spec("gcsfs") is not None, reason="gcsfs is installed")
def test_missing_gcsfs_names_the_extra() -> None:
    with pytest.raises(UnsupportedError, match=r"gcsfs.*zarrscope\[gcs\]"):
        open_store("gs://bucket/x")


def test_scheme_maps_to_the_fsspec_store() -> None:
    assert issubclass(store_class("gs"), FsspecStore)
    assert store_class("gcs") is GCSStore
