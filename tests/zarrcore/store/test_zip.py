"""ZipStore against the shared StoreContract, plus zip-specific behaviour."""

from __future__ import annotations

import warnings
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from zarrcore.errors import CorruptChunkError, NotFoundError
from zarrcore.store.base import Store
from zarrcore.store.zip import ZipStore
from zarrcore.testing.store_contract import StoreContract, StoreFactory
from zarrcore.url import open_store


def _append_member(path: Path, key: str, value: bytes) -> None:
    """Append like zarr-python 2 does on overwrite (a duplicate member, last one wins)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Duplicate name", UserWarning)
        with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(key, value)


class TestZipStore(StoreContract):
    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> StoreFactory:
        path = tmp_path / "data.zip"

        def open_zip(*, read_only: bool = False) -> Store:
            return open_store(str(path), mode="r" if read_only else "a")

        return open_zip

    def raw_get(self, store: Store, key: str) -> bytes | None:
        assert isinstance(store, ZipStore)
        if not store._closed:
            store.flush()
        with zipfile.ZipFile(store.path) as archive:
            try:
                return archive.read(key)
            except KeyError:
                return None

    def raw_set(self, store: Store, key: str, value: bytes) -> None:
        assert isinstance(store, ZipStore)
        store.flush()
        _append_member(store.path, key, value)
        store.refresh()


class TestDeflatedZipStore(TestZipStore):
    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> StoreFactory:
        path = tmp_path / "deflated.zip"

        def open_zip(*, read_only: bool = False) -> Store:
            return ZipStore.from_url(f"file://{path}", read_only=read_only, compression="deflated")

        return open_zip


def test_duplicate_members_last_one_wins_and_rewrite_compacts(tmp_path: Path) -> None:
    path = tmp_path / "dup.zip"
    _append_member(path, "a/0", b"old")
    _append_member(path, "a/0", b"new")
    _append_member(path, "b", b"b")
    store = ZipStore(path)
    assert store.get("a/0") == b"new"
    assert sorted(store.list_prefix("")) == ["a/0", "b"]
    store.set("c", b"c")
    store.close()
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["a/0", "b", "c"]
        assert archive.read("a/0") == b"new"
        assert all(i.compress_type == zipfile.ZIP_STORED for i in archive.infolist())


def test_writes_are_invisible_in_the_file_until_flush(tmp_path: Path) -> None:
    path = tmp_path / "lazy.zip"
    store = ZipStore(path)
    store.set("k", b"v")
    assert not path.exists()
    store.flush()
    with zipfile.ZipFile(path) as archive:
        assert archive.read("k") == b"v"
    assert [p.name for p in tmp_path.iterdir()] == ["lazy.zip"]
    store.close()


def test_closing_an_untouched_new_store_leaves_an_empty_archive(tmp_path: Path) -> None:
    path = tmp_path / "empty.zip"
    ZipStore(path).close()
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == []


def test_large_buffer_is_flushed_early(tmp_path: Path) -> None:
    path = tmp_path / "big.zip"
    store = ZipStore(path, flush_threshold_bytes=100)
    store.set("a", b"x" * 60)
    assert not path.exists()
    store.set("b", b"y" * 60)
    assert path.exists()
    store.close()


def test_read_only_open_of_missing_archive_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError) as info:
        open_store(str(tmp_path / "missing.zip"), mode="r")
    assert "missing.zip" in str(info.value)


def test_corrupt_stored_member_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("k", b"A" * 64)
    raw = bytearray(path.read_bytes())
    raw[raw.index(b"A" * 64)] = ord("B")
    path.write_bytes(bytes(raw))
    store = ZipStore(path, read_only=True)
    with pytest.raises(CorruptChunkError) as info:
        store.get("k")
    assert info.value.key == "k"
    assert store.get_range("k", 1, 3) == b"AAA"


def test_zip_url_scheme_opens_the_archive(tmp_path: Path) -> None:
    path = tmp_path / "u.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(".zgroup", b"{}")
    with ZipStore.from_url(f"zip://{path}", read_only=True) as store:
        assert store.get(".zgroup") == b"{}"


def test_reads_stay_correct_while_other_threads_flush(tmp_path: Path) -> None:
    store = ZipStore(tmp_path / "busy.zip")
    stable = bytes(range(256)) * 64
    store.set("stable", stable)
    store.flush()

    def writer(round_: int) -> None:
        store.set(f"w/{round_}", b"x" * round_)
        store.flush()

    def reader(_: int) -> bool:
        return (
            store.get("stable") == stable and store.get_range("stable", 100, 50) == stable[100:150]
        )

    with ThreadPoolExecutor(max_workers=6) as pool:
        writes = [pool.submit(writer, i) for i in range(20)]
        reads = list(pool.map(reader, range(200)))
        for future in writes:
            future.result()
    assert all(reads)
    assert sorted(store.list_prefix("w/")) == sorted(f"w/{i}" for i in range(20))
    store.close()
