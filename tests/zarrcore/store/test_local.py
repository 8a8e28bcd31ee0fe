"""DirectoryStore against the shared StoreContract, plus directory-specific behaviour."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zarrcore.errors import NotFoundError, StoreError
from zarrcore.store.base import Store
from zarrcore.store.local import DirectoryStore, path_from_url
from zarrcore.testing.store_contract import StoreContract, StoreFactory
from zarrcore.url import open_store


class TestDirectoryStore(StoreContract):
    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> StoreFactory:
        root = tmp_path / "data.zarr"

        def open_directory(*, read_only: bool = False) -> Store:
            return DirectoryStore.from_url(str(root), read_only=read_only)

        return open_directory

    def raw_get(self, store: Store, key: str) -> bytes | None:
        assert isinstance(store, DirectoryStore)
        path = store.root.joinpath(*key.split("/"))
        return path.read_bytes() if path.is_file() else None

    def raw_set(self, store: Store, key: str, value: bytes) -> None:
        assert isinstance(store, DirectoryStore)
        path = store.root.joinpath(*key.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(value)


class TestDirectoryStoreFromFileUrl(TestDirectoryStore):
    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> StoreFactory:
        url = (tmp_path / "data dir.zarr").as_uri()

        def open_directory(*, read_only: bool = False) -> Store:
            return open_store(url, mode="r" if read_only else "a")

        return open_directory


def test_plain_path_and_file_url_name_the_same_directory(tmp_path: Path) -> None:
    assert path_from_url(f"file://{tmp_path}/x%20y") == tmp_path / "x y"
    assert path_from_url(str(tmp_path / "x")) == tmp_path / "x"
    assert path_from_url(f"file://localhost{tmp_path}") == tmp_path


def test_writes_leave_no_partial_files_and_listings_skip_them(tmp_path: Path) -> None:
    store = DirectoryStore(tmp_path)
    store.set("a/0.0", b"1")
    assert sorted(os.listdir(tmp_path / "a")) == ["0.0"]
    (tmp_path / "a" / "0.1.0123abcd.partial").write_bytes(b"half")
    assert list(store.list_prefix("")) == ["a/0.0"]
    assert store.list_dir("a/") == ["0.0"]


def test_directory_is_not_a_key(tmp_path: Path) -> None:
    store = DirectoryStore(tmp_path)
    store.set("grp/arr/0/0", b"1")
    for key in ("grp", "grp/arr", "grp/arr/0"):
        with pytest.raises(NotFoundError):
            store.get(key)
        with pytest.raises(NotFoundError):
            store.get_range(key, 0, 1)
        with pytest.raises(NotFoundError):
            store.delete(key)


def test_keys_cannot_escape_the_root(tmp_path: Path) -> None:
    (tmp_path / "secret").write_bytes(b"s")
    store = DirectoryStore(tmp_path / "root")
    for key in ("../secret", "a/../../secret", "./x"):
        with pytest.raises(NotFoundError):
            store.get(key)
        assert not store.exists(key)
        with pytest.raises(StoreError):
            store.set(key, b"x")
    assert (tmp_path / "secret").read_bytes() == b"s"


def test_delete_prunes_empty_directories(tmp_path: Path) -> None:
    store = DirectoryStore(tmp_path)
    store.set("a/b/c/0", b"1")
    store.delete("a/b/c/0")
    assert list(tmp_path.iterdir()) == []


def test_lower_cased_key_is_found_for_normalize_keys_stores(tmp_path: Path) -> None:
    (tmp_path / "group").mkdir()
    (tmp_path / "group" / ".zattrs").write_bytes(b"{}")
    store = DirectoryStore(tmp_path)
    assert store.get("Group/.zattrs") == b"{}"
    assert store.exists("Group/.zattrs") and store.getsize("Group/.zattrs") == 2
    normalizing = DirectoryStore(tmp_path, normalize_keys=True)
    normalizing.set("Other/.zgroup", b"{}")
    assert (tmp_path / "other" / ".zgroup").is_file()


def test_missing_root_lists_nothing(tmp_path: Path) -> None:
    store = DirectoryStore(tmp_path / "absent", read_only=True)
    assert list(store.list_prefix("")) == []
    assert store.list_dir("") == []
    assert not store.exists(".zgroup")
