"""Zip store: key ``a/0.0`` is the zip member ``a/0.0`` (zarr-python 2 ZipStore layout).

Reading: the central directory is read once; when a name occurs more than once (zarr-python
appends a new member on every overwrite) the **last** entry wins, as in ``zipfile``. Stored
(uncompressed, the zarr-python default) members are read with positioned reads on a shared
file descriptor, so reads from many threads run in parallel and ``get_range`` reads only the
requested bytes; compressed members are decompressed whole.

Writing: ``set``/``delete`` are buffered in memory and visible to this store at once. On
``flush()``/``close()`` (or when the buffer exceeds ``flush_threshold_bytes``) the archive is
rewritten into ``<name>.<uuid hex>.partial`` next to it, without duplicate members, and moved
over the original with ``os.replace``: a crash leaves the old archive intact.
"""

from __future__ import annotations

import os
import struct
import threading
import time
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from zarrcore.errors import CorruptChunkError, NotFoundError, StoreError
from zarrcore.store.base import Store, normalize_key
from zarrcore.store.local import path_from_url

_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, ..., name length, extra length
_LOCAL_MAGIC = b"PK\x03\x04"
_COMPRESSIONS = {
    "stored": zipfile.ZIP_STORED,
    "deflated": zipfile.ZIP_DEFLATED,
    "bzip2": zipfile.ZIP_BZIP2,
    "lzma": zipfile.ZIP_LZMA,
}


def zip_path_from_url(url: str | os.PathLike[str]) -> Path:
    """The archive path of a plain path, ``file://`` or ``zip://`` URL."""
    text = os.fspath(url)
    if text.lower().startswith("zip://"):
        text = text[len("zip://") :]
    return path_from_url(text)


class _Archive:
    """One opened version of the archive file: members (last wins) and read handles."""

    def __init__(self, path: Path, url: str) -> None:
        self.url = url
        self._closed = True  # until fully opened, so __del__ never sees half an object
        self.fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            self.zf = zipfile.ZipFile(path, "r")
        except (zipfile.BadZipFile, OSError) as exc:
            os.close(self.fd)
            raise StoreError(f"not a readable zip archive: {exc}", url=url) from exc
        self.members: dict[str, zipfile.ZipInfo] = {
            name: info for name, info in self.zf.NameToInfo.items() if not info.is_dir()
        }
        self._offsets: dict[str, int] = {}
        self._lock = threading.Lock()
        self._closed = False

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.zf.close()
            os.close(self.fd)

    def __del__(self) -> None:
        self.close()

    def _pread(self, count: int, offset: int) -> bytes:
        if hasattr(os, "pread"):
            parts = []
            while count > 0:
                chunk = os.pread(self.fd, count, offset)
                if not chunk:
                    break
                parts.append(chunk)
                count -= len(chunk)
                offset += len(chunk)
            return b"".join(parts)
        with self._lock:  # Windows: no positioned read
            os.lseek(self.fd, offset, os.SEEK_SET)
            return os.read(self.fd, count)

    def _data_offset(self, info: zipfile.ZipInfo) -> int:
        offset = self._offsets.get(info.filename)
        if offset is None:
            header = self._pread(_LOCAL_HEADER.size, info.header_offset)
            if len(header) < _LOCAL_HEADER.size:
                raise CorruptChunkError("truncated zip member", url=self.url, key=info.filename)
            magic, name_len, extra_len = _LOCAL_HEADER.unpack(header)
            if magic != _LOCAL_MAGIC:
                raise CorruptChunkError("bad zip member header", url=self.url, key=info.filename)
            offset = info.header_offset + _LOCAL_HEADER.size + name_len + extra_len
            self._offsets[info.filename] = offset
        return offset

    def read(self, info: zipfile.ZipInfo, start: int = 0, length: int | None = None) -> bytes:
        """Bytes ``[start, start+length)`` of a member (``start < 0``: suffix)."""
        size = info.file_size
        if start < 0:
            start, length = max(0, size + start), None
        start = min(start, size)
        count = size - start if length is None else max(0, min(length, size - start))
        whole = start == 0 and count == size
        if info.compress_type == zipfile.ZIP_STORED and not info.flag_bits & 0x1:
            data = self._pread(count, self._data_offset(info) + start) if count else b""
            if len(data) != count:
                raise CorruptChunkError("truncated zip member", url=self.url, key=info.filename)
            if whole and zlib.crc32(data) != info.CRC:
                raise CorruptChunkError("zip member fails its CRC", url=self.url, key=info.filename)
            return data
        try:
            with self._lock:
                data = self.zf.read(info)
        except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError) as exc:
            raise CorruptChunkError(
                f"unreadable zip member: {exc}", url=self.url, key=info.filename
            ) from exc
        return data if whole else data[start : start + count]


class ZipStore(Store):
    """Keys as members of one zip archive."""

    supports_partial_reads = True
    supports_atomic_writes = True
    max_concurrency = 4

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        read_only: bool = False,
        compression: int | str = zipfile.ZIP_STORED,
        flush_threshold_bytes: int = 256 * 2**20,
        url: str | None = None,
    ) -> None:
        super().__init__(url or os.fspath(path), read_only=read_only)
        self.path = zip_path_from_url(path).expanduser().absolute()
        if isinstance(compression, str):
            try:
                compression = _COMPRESSIONS[compression.lower()]
            except KeyError:
                raise StoreError(f"unknown zip compression {compression!r}", url=self.url) from None
        self.compression = compression
        self.flush_threshold_bytes = flush_threshold_bytes
        self._lock = threading.RLock()
        self._pending: dict[str, bytes] = {}
        self._pending_nbytes = 0
        self._deleted: set[str] = set()
        self._archive: _Archive | None = None
        if self.path.is_file():
            self._archive = _Archive(self.path, self.url)
        elif read_only:
            raise NotFoundError("no such zip file", url=self.url)

    @classmethod
    def from_url(cls, url: str, *, read_only: bool = False, **options: Any) -> ZipStore:
        compression = options.pop("compression", zipfile.ZIP_STORED)
        threshold = int(options.pop("flush_threshold_bytes", 256 * 2**20))
        if options:
            raise TypeError(f"unexpected options for a zip store: {sorted(options)}")
        return cls(
            url,
            read_only=read_only,
            compression=compression,
            flush_threshold_bytes=threshold,
            url=url,
        )

    # -- reading ---------------------------------------------------------------------------
    def _lookup(self, key: str) -> tuple[bytes | None, _Archive | None, zipfile.ZipInfo | None]:
        """(pending value, archive, member info); raises NotFoundError when absent."""
        with self._lock:
            if self._closed:
                raise StoreError("zip store is closed", url=self.url, key=key)
            value = self._pending.get(key)
            if value is not None:
                return value, None, None
            archive = self._archive
            info = None
            if archive is not None and key not in self._deleted:
                info = archive.members.get(key)
        if info is None:
            raise NotFoundError("no such key", url=self.url, key=key)
        return None, archive, info

    def get(self, key: str) -> bytes:
        value, archive, info = self._lookup(key)
        if value is not None:
            return value
        assert archive is not None and info is not None
        return archive.read(info)

    def get_range(self, key: str, start: int = 0, length: int | None = None) -> bytes:
        value, archive, info = self._lookup(key)
        if value is not None:
            if start < 0:
                return value[start:]
            return value[start:] if length is None else value[start : start + length]
        assert archive is not None and info is not None
        return archive.read(info, start, length)

    def getsize(self, key: str) -> int:
        value, _, info = self._lookup(key)
        if value is not None:
            return len(value)
        assert info is not None
        return info.file_size

    # -- writing ---------------------------------------------------------------------------
    def set(self, key: str, value: bytes) -> None:
        self.check_writable(key)
        key = normalize_key(key)
        data = value if type(value) is bytes else bytes(value)
        with self._lock:
            if self._closed:
                raise StoreError("zip store is closed", url=self.url, key=key)
            old = self._pending.get(key)
            self._pending_nbytes += len(data) - (len(old) if old is not None else 0)
            self._pending[key] = data
            self._deleted.discard(key)
            if self._pending_nbytes > self.flush_threshold_bytes:
                self.flush()

    def delete(self, key: str) -> None:
        self.check_writable(key)
        with self._lock:
            existed = False
            old = self._pending.pop(key, None)
            if old is not None:
                self._pending_nbytes -= len(old)
                existed = True
            archive = self._archive
            if archive is not None and key in archive.members and key not in self._deleted:
                self._deleted.add(key)
                existed = True
        if not existed:
            raise NotFoundError("no such key", url=self.url, key=key)

    def delete_prefix(self, prefix: str) -> None:
        self.check_writable(prefix)
        with self._lock:
            for key in list(self.list_prefix(prefix)):
                self.delete(key)

    def flush(self) -> None:
        """Write buffered changes: rewrite the archive to a temporary file, then replace."""
        if self.read_only:
            return
        with self._lock:
            dirty = bool(self._pending or self._deleted)
            if self._closed or (not dirty and self.path.is_file()):
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temp = self.path.with_name(f"{self.path.name}.{uuid.uuid4().hex}.partial")
            try:
                self._write_archive(temp)
                os.replace(temp, self.path)
            except OSError as exc:
                raise StoreError(f"cannot write zip archive: {exc}", url=self.url) from exc
            finally:
                if temp.exists():
                    temp.unlink()
            # the previous archive is not closed here: a reader on another thread may still
            # be using it; it closes itself when the last reference goes (_Archive.__del__)
            self._archive = _Archive(self.path, self.url)
            self._pending.clear()
            self._deleted.clear()
            self._pending_nbytes = 0

    def _write_archive(self, target: Path) -> None:
        now = time.localtime(time.time())[:6]
        with zipfile.ZipFile(target, "w", compression=self.compression, allowZip64=True) as out:
            archive = self._archive
            if archive is not None:
                for name, info in archive.members.items():
                    if name in self._pending or name in self._deleted:
                        continue
                    copy = zipfile.ZipInfo(name, date_time=info.date_time)
                    copy.compress_type = info.compress_type
                    copy.external_attr = info.external_attr
                    out.writestr(copy, archive.read(info))
            for name, data in self._pending.items():
                member = zipfile.ZipInfo(name, date_time=now)
                member.compress_type = self.compression
                member.external_attr = 0o644 << 16
                out.writestr(member, data)

    def refresh(self) -> None:
        """Flush, then re-read the archive (after another program changed the file)."""
        with self._lock:
            self.flush()
            self._archive = _Archive(self.path, self.url) if self.path.is_file() else None

    # -- listing ---------------------------------------------------------------------------
    def list_prefix(self, prefix: str) -> Iterator[str]:
        with self._lock:
            names: dict[str, None] = {}
            if self._archive is not None:
                for name in self._archive.members:
                    if name.startswith(prefix) and name not in self._deleted:
                        names[name] = None
            for name in self._pending:
                if name.startswith(prefix):
                    names[name] = None
        return iter(list(names))

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            try:
                self.flush()
            finally:
                self._closed = True
                if self._archive is not None:
                    self._archive.close()
                    self._archive = None
        super().close()
