"""HTTPStore (read-only) against a loopback http.server serving a temporary directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import zarrcore
from zarrcore.errors import (
    AuthenticationError,
    NotFoundError,
    ReadOnlyError,
    StoreUnavailableError,
    UnsupportedError,
)
from zarrcore.redact import redact_text
from zarrcore.store.base import Store
from zarrcore.store.http import HTTPStore
from zarrcore.testing.servers import SilentServer, StaticHTTPServer, free_port
from zarrcore.testing.store_contract import StoreContract, StoreFactory
from zarrcore.url import open_store


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, StaticHTTPServer]]:
    root = tmp_path / "www"
    root.mkdir()
    server = StaticHTTPServer(str(root))
    yield root, server
    server.stop()


class TestHTTPStore(StoreContract):
    check_url_contains = "http://127.0.0.1"

    @pytest.fixture
    def store_factory(self, served: tuple[Path, StaticHTTPServer]) -> StoreFactory:
        root, server = served
        (root / "data").mkdir()
        self._root = root / "data"

        def factory(*, read_only: bool = False) -> Store:
            return HTTPStore.from_url(f"{server.url}/data", read_only=read_only)

        return factory

    def raw_get(self, store: Store, key: str) -> bytes | None:
        path = self._root / key
        return path.read_bytes() if path.is_file() else None

    def raw_set(self, store: Store, key: str, value: bytes) -> None:
        path = self._root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(value)


def _write_hierarchy(root: Path) -> np.ndarray:
    group = zarrcore.open_group(str(root / "h.zarr"), mode="w")
    group.attrs["title"] = "served"
    data = np.arange(64, dtype="f4").reshape(8, 8)
    arr = group.create_array("sub/a", shape=(8, 8), chunks=(4, 4), dtype="f4", fill_value=np.nan)
    arr[...] = data
    group.close()
    return data


def test_consolidated_hierarchy_is_browsable(served: tuple[Path, StaticHTTPServer]) -> None:
    root, server = served
    data = _write_hierarchy(root)
    zarrcore.consolidate_metadata(str(root / "h.zarr"))
    group = zarrcore.open_consolidated(f"{server.url}/h.zarr")
    assert group.attrs["title"] == "served"
    assert [name for name, _ in group.members()] == ["sub"]
    np.testing.assert_array_equal(group["sub/a"][...], data)
    assert open_store(f"{server.url}/h.zarr").supports_listing is False


def test_listing_without_consolidated_metadata_says_so(
    served: tuple[Path, StaticHTTPServer],
) -> None:
    root, server = served
    data = _write_hierarchy(root)
    store = HTTPStore.from_url(f"{server.url}/h.zarr", read_only=True)
    with pytest.raises(UnsupportedError, match=r"no consolidated metadata \(\.zmetadata\)"):
        store.list_dir("")
    # a node named by path still opens
    np.testing.assert_array_equal(zarrcore.open_array(store, mode="r", path="sub/a")[...], data)
    zarrcore.consolidate_metadata(str(root / "h.zarr"))
    with pytest.raises(UnsupportedError, match="open it with consolidated metadata"):
        store.list_prefix("")


def test_store_is_read_only(served: tuple[Path, StaticHTTPServer]) -> None:
    _, server = served
    store = HTTPStore.from_url(server.url, read_only=False)
    with pytest.raises(ReadOnlyError):
        store.set("x", b"1")


def test_query_string_token_is_kept_and_redacted(served: tuple[Path, StaticHTTPServer]) -> None:
    root, server = served
    (root / "k").write_bytes(b"v")
    store = HTTPStore.from_url(f"{server.url}/?sig=supersecret123&sv=1", read_only=True)
    assert store.get("k") == b"v"
    assert "supersecret123" not in repr(store)
    with pytest.raises(NotFoundError) as info:
        store.get("missing")
    assert "supersecret123" not in str(info.value)


def test_forbidden_is_an_authentication_error_not_missing(
    served: tuple[Path, StaticHTTPServer],
) -> None:
    root, server = served
    (root / "forbidden.zarray").write_bytes(b"{}")
    store = HTTPStore.from_url(server.url, read_only=True, retries=0)
    with pytest.raises(AuthenticationError) as info:
        store.get("forbidden.zarray")
    assert "403" in str(info.value) and not isinstance(info.value, KeyError)
    with pytest.raises(AuthenticationError):
        store.get_many(["forbidden.zarray"])


def test_server_down_is_unavailable() -> None:
    store = HTTPStore.from_url(
        f"http://127.0.0.1:{free_port()}/x", read_only=True, retries=1, connect_timeout_s=1
    )
    with pytest.raises(StoreUnavailableError):
        store.get(".zgroup")


def test_hung_server_times_out_instead_of_hanging() -> None:
    with SilentServer() as server:
        store = HTTPStore.from_url(
            f"http://127.0.0.1:{server.port}/data", read_only=True, timeout_s=0.3, retries=0
        )
        with pytest.raises(StoreUnavailableError):
            store.get_many(["a/0.0", "a/0.1"])
        store.close()


def test_connection_dropped_mid_body_is_unavailable_not_truncated_data(
    served: tuple[Path, StaticHTTPServer],
) -> None:
    _, server = served
    store = HTTPStore.from_url(server.url, read_only=True, retries=1)
    with pytest.raises(StoreUnavailableError):
        store.get("dies-mid-body.0")
    store.close()


def test_presigned_signature_never_reaches_a_message() -> None:
    base = f"http://127.0.0.1:{free_port()}/x?X-Amz-Signature=deadbeef99&X-Amz-Expires=60"
    store = HTTPStore.from_url(base, read_only=True, retries=0)
    with pytest.raises(StoreUnavailableError) as info:
        store.get("a")
    assert "deadbeef99" not in str(info.value) + repr(store) + store.url
    assert "deadbeef99" not in redact_text("GET /x/a?X-Amz-Signature=deadbeef99 failed")
