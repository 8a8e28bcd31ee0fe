"""Directory store: key ``a/b/0.0`` is the file ``root/a/b/0.0`` (zarr-python 2 DirectoryStore).

Flat (``0.0``) and nested (``0/0``) chunk keys both map straight to paths, so the same class
serves zarr-python's ``DirectoryStore`` and ``NestedDirectoryStore`` layouts; which keys an
array uses is decided by its metadata. Writes go to ``<name>.<uuid hex>.partial`` in the
target directory and are moved into place with ``os.replace`` (atomic on one file system),
exactly as zarr-python 2 does; listings skip ``*.partial`` leftovers. Range reads use
positioned reads (``os.pread``) on the open file.

Stores written by zarr-python 2 with ``normalize_keys=True`` hold lower-cased names: a key
that is missing is retried lower-cased before it counts as absent (FORMATS.md pitfall 16).
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from zarrcore.errors import NotFoundError, StoreError
from zarrcore.store.base import Store, normalize_key

_PARTIAL_SUFFIX = ".partial"
_HAS_PREAD = hasattr(os, "pread")
_OPEN_READ = os.O_RDONLY | getattr(os, "O_BINARY", 0)


def path_from_url(url: str | os.PathLike[str]) -> Path:
    """The file-system path of a plain path or a ``file://`` URL."""
    text = os.fspath(url)
    if text.lower().startswith("file://"):
        rest = unquote(text[len("file://") :])
        if rest.startswith("localhost/"):
            rest = rest[len("localhost") :]
        return Path(rest)
    return Path(text)


def _is_partial(name: str) -> bool:
    return name.endswith(_PARTIAL_SUFFIX)


class DirectoryStore(Store):
    """Keys as files under a root directory."""

    supports_partial_reads = True
    supports_atomic_writes = True
    max_concurrency = 8

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        read_only: bool = False,
        normalize_keys: bool = False,
        url: str | None = None,
    ) -> None:
        self.root = path_from_url(root).expanduser().absolute()
        self._root_prefix = os.path.join(os.fspath(self.root), "")
        super().__init__(url or os.fspath(root), read_only=read_only)
        #: lower-case every key, like zarr-python 2 ``DirectoryStore(normalize_keys=True)``
        self.normalize_keys = normalize_keys

    @classmethod
    def from_url(cls, url: str, *, read_only: bool = False, **options: Any) -> DirectoryStore:
        normalize = bool(options.pop("normalize_keys", False))
        if options:
            raise TypeError(f"unexpected options for a directory store: {sorted(options)}")
        return cls(url, read_only=read_only, normalize_keys=normalize, url=url)

    # -- key -> path -------------------------------------------------------------------------
    def _key(self, key: str) -> str:
        key = normalize_key(key)
        return key.lower() if self.normalize_keys else key

    def _path(self, key: str) -> Path:
        return Path(self._fspath(key))

    def _fspath(self, key: str) -> str:
        """The file of ``key`` as a string (no Path objects on the chunk-read hot path)."""
        if not key or "\\" in key or any(part in (".", "..") for part in key.split("/")):
            raise NotFoundError("not a valid key for a directory store", url=self.url, key=key)
        return self._root_prefix + (key if os.sep == "/" else key.replace("/", os.sep))

    def _not_found(self, key: str) -> NotFoundError:
        return NotFoundError("no such key", url=self.url, key=key)

    def _error(self, action: str, key: str, exc: OSError) -> StoreError:
        return StoreError(f"cannot {action}: {exc.strerror or exc}", url=self.url, key=key)

    def _open_fd(self, key: str) -> int:
        """Open ``key`` for reading (lower-cased fallback); NotFoundError when absent."""
        normalized = self._key(key)
        candidates = [normalized]
        if normalized != normalized.lower() and not self._path(normalized).parent.exists():
            # only when the exact-case parent is absent: a missing chunk of array "A" must
            # not be served from a sibling array "a" (same group, other case)
            candidates.append(normalized.lower())
        for candidate in candidates:
            path = self._fspath(candidate)
            try:
                fd = os.open(path, _OPEN_READ)
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                continue
            except PermissionError as exc:
                if os.path.isdir(path):
                    continue
                raise self._error("read", key, exc) from exc
            except OSError as exc:
                raise self._error("read", key, exc) from exc
            if stat.S_ISDIR(os.fstat(fd).st_mode):  # POSIX lets O_RDONLY open a directory
                os.close(fd)
                continue
            return fd
        raise self._not_found(key)

    # -- reading ---------------------------------------------------------------------------
    def get(self, key: str) -> bytes:
        fd = self._open_fd(key)
        try:
            # one positioned read of the known size: a buffered read() over-allocates,
            # reads once more to find the end and then shrinks (copies) the result
            size = os.fstat(fd).st_size
            return self._pread(fd, size, 0) if size else b""
        except OSError as exc:
            raise self._error("read", key, exc) from exc
        finally:
            os.close(fd)

    def get_range(self, key: str, start: int = 0, length: int | None = None) -> bytes:
        fd = self._open_fd(key)
        try:
            size = os.fstat(fd).st_size
            if start < 0:
                offset = max(0, size + start)
                count = size - offset
            else:
                offset = min(start, size)
                count = size - offset if length is None else min(length, size - offset)
            if count <= 0:
                return b""
            return self._pread(fd, count, offset)
        except OSError as exc:
            raise self._error("read", key, exc) from exc
        finally:
            os.close(fd)

    @staticmethod
    def _pread(fd: int, count: int, offset: int) -> bytes:
        chunks = []
        while count > 0:
            if _HAS_PREAD:
                chunk = os.pread(fd, count, offset)
            else:  # Windows
                os.lseek(fd, offset, os.SEEK_SET)
                chunk = os.read(fd, count)
            if not chunk:
                break
            chunks.append(chunk)
            count -= len(chunk)
            offset += len(chunk)
        return b"".join(chunks)

    def getsize(self, key: str) -> int:
        fd = self._open_fd(key)
        try:
            return os.fstat(fd).st_size
        finally:
            os.close(fd)

    def exists(self, key: str) -> bool:
        normalized = self._key(key)
        try:
            if self._path(normalized).is_file():
                return True
            lowered = normalized.lower()
            if lowered == normalized or self._path(normalized).parent.exists():
                return False  # same rule as _open_fd: no fallback next to exact-case siblings
            return self._path(lowered).is_file()
        except NotFoundError:
            return False

    # -- writing ---------------------------------------------------------------------------
    def set(self, key: str, value: bytes) -> None:
        self.check_writable(key)
        key = self._key(key)
        try:
            path = self._path(key)
        except NotFoundError:
            raise StoreError(
                "not a valid key for a directory store", url=self.url, key=key
            ) from None
        if path.is_dir():
            raise StoreError("a directory exists where the key should go", url=self.url, key=key)
        temp = path.with_name(f"{path.name}.{uuid.uuid4().hex}{_PARTIAL_SUFFIX}")
        for attempt in range(3):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                with open(temp, "wb") as handle:
                    handle.write(value)
                os.replace(temp, path)
                return
            except FileNotFoundError as exc:  # a concurrent delete pruned the directory
                if attempt == 2:
                    raise self._error("write", key, exc) from exc
            except OSError as exc:
                raise self._error("write", key, exc) from exc
            finally:
                if temp.exists():
                    temp.unlink()

    def delete(self, key: str) -> None:
        self.check_writable(key)
        key = self._key(key)
        path = self._path(key)
        if path.is_dir():
            raise self._not_found(key)
        try:
            path.unlink()
        except (FileNotFoundError, NotADirectoryError):
            raise self._not_found(key) from None
        except OSError as exc:
            raise self._error("delete", key, exc) from exc
        self._prune_empty_dirs(path.parent)

    def _prune_empty_dirs(self, directory: Path) -> None:
        """Remove empty directories left by a delete, up to (not including) the root."""
        while directory != self.root and self.root in directory.parents:
            try:
                directory.rmdir()
            except OSError as exc:
                if exc.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOENT, errno.EBUSY):
                    return
                raise self._error("remove directory", str(directory), exc) from exc
            directory = directory.parent

    def delete_prefix(self, prefix: str) -> None:
        self.check_writable(prefix)
        if prefix and not prefix.endswith("/"):
            super().delete_prefix(prefix)
            return
        key = self._key(prefix)
        target = self._path(key) if key else self.root
        if not target.is_dir():
            return
        if target == self.root:
            for child in list(target.iterdir()):
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()
            return
        shutil.rmtree(target)
        self._prune_empty_dirs(target.parent)

    # -- listing ---------------------------------------------------------------------------
    def _walk(self, directory: Path, key_prefix: str) -> Iterator[str]:
        try:
            entries = list(os.scandir(directory))
        except (FileNotFoundError, NotADirectoryError):
            return
        for entry in entries:
            if _is_partial(entry.name):
                continue
            key = key_prefix + entry.name
            if entry.is_dir():
                yield from self._walk(Path(entry.path), key + "/")
            else:
                yield key

    def list_prefix(self, prefix: str) -> Iterator[str]:
        head, _, tail = prefix.rpartition("/")
        if head:
            try:
                directory = self._path(head)
            except NotFoundError:
                return iter(())
            base = head + "/"
        else:
            directory, base = self.root, ""
        if not tail:
            return self._walk(directory, base)
        return self._list_matching(directory, base, tail)

    def _list_matching(self, directory: Path, base: str, tail: str) -> Iterator[str]:
        try:
            entries = [e for e in os.scandir(directory) if e.name.startswith(tail)]
        except (FileNotFoundError, NotADirectoryError):
            return
        for entry in entries:
            if _is_partial(entry.name):
                continue
            if entry.is_dir():
                yield from self._walk(Path(entry.path), base + entry.name + "/")
            else:
                yield base + entry.name

    def list_dir(self, prefix: str) -> list[str]:
        key = normalize_key(prefix)
        try:
            directory = self._path(key) if key else self.root
            names = [e.name for e in os.scandir(directory) if not _is_partial(e.name)]
        except (FileNotFoundError, NotADirectoryError, NotFoundError):
            return []
        return sorted(names)
