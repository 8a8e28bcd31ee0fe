"""A store over an fsspec filesystem: the shared code path of S3 (s3fs) and GCS (gcsfs).

Layout matches zarr-python 2.x's ``FSStore``: key ``k`` lives at ``root/k``. Unlike
FSStore, a permission error or a network failure is never read as "missing" (FORMATS.md
pitfall 15): only ``FileNotFoundError`` is :class:`NotFoundError`; ``PermissionError``
is :class:`AuthenticationError`; connection failures and timeouts are
:class:`StoreUnavailableError`.

For asynchronous filesystems (s3fs, gcsfs) ``get_many`` and ``get_ranges`` are one
``cat_ranges`` call that runs all requests concurrently on fsspec's event loop, at most
``max_concurrency`` at a time.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from zarrcore.errors import (
    AuthenticationError,
    NotFoundError,
    StoreError,
    StoreUnavailableError,
    ZarrcoreError,
)
from zarrcore.store.base import ByteRange, Store, normalize_key
from zarrcore.store.remote import RemoteOptions, with_retries

T = TypeVar("T")

# Class names (anywhere in the MRO) of network failures from botocore, aiohttp, asyncio,
# requests and the standard library. Matching by name keeps this module free of imports
# of optional clients.
_UNAVAILABLE_NAMES = {
    "EndpointConnectionError",
    "ConnectTimeoutError",
    "ReadTimeoutError",
    "ConnectionClosedError",
    "ClientConnectorError",
    "ClientConnectionError",
    "ServerDisconnectedError",
    "ServerTimeoutError",
    "ClientOSError",
    "FSTimeoutError",
    "TimeoutError",
    "ConnectionError",
    "ConnectionRefusedError",
    "ConnectionResetError",
    "ProxyConnectionError",
}


# Credential problems found before any request is sent (botocore, google-auth).
_NO_CREDENTIALS_NAMES = {
    "NoCredentialsError",
    "PartialCredentialsError",
    "DefaultCredentialsError",
    "RefreshError",
}


def is_unavailable_error(exc: BaseException) -> bool:
    """True for connection failures and timeouts (the server is down or unreachable)."""
    return any(cls.__name__ in _UNAVAILABLE_NAMES for cls in type(exc).__mro__)


class FsspecStore(Store):
    """Keys are files under ``root`` of an fsspec filesystem ``fs``."""

    supports_partial_reads = True
    supports_atomic_writes = True  # object stores replace whole objects
    is_remote = True

    def __init__(
        self,
        fs: Any,
        root: str,
        *,
        url: str,
        read_only: bool = False,
        options: RemoteOptions | None = None,
    ) -> None:
        super().__init__(url, read_only=read_only)
        self.fs = fs
        self.root = str(fs._strip_protocol(root)).rstrip("/")
        self.options = options or RemoteOptions()
        self.max_concurrency = self.options.max_concurrency

    # -- helpers --------------------------------------------------------------------------
    def _path(self, key: str) -> str:
        key = normalize_key(key)
        if not self.root:
            return key
        return f"{self.root}/{key}" if key else self.root

    def _key_of(self, path: str) -> str:
        """The store key of a filesystem path under ``root``."""
        path = str(self.fs._strip_protocol(path))
        if not self.root:
            return path.lstrip("/")
        base = self.root + "/"
        return path[len(base) :] if path.startswith(base) else path

    def _translate(self, exc: BaseException, key: str | None) -> ZarrcoreError:
        """Map a filesystem exception to a typed error (never retries, never swallows)."""
        if isinstance(exc, ZarrcoreError):
            return exc
        if isinstance(exc, FileNotFoundError):
            return NotFoundError("no such key", url=self.url, key=key)
        if isinstance(exc, PermissionError):
            return AuthenticationError(
                f"access denied (check credentials and permissions): {exc}", url=self.url, key=key
            )
        if any(cls.__name__ in _NO_CREDENTIALS_NAMES for cls in type(exc).__mro__):
            return AuthenticationError(
                f"no usable credentials ({exc}); pass key/secret or a token, set the "
                "provider's environment variables or profile, or use anon=True for public data",
                url=self.url,
                key=key,
            )
        if is_unavailable_error(exc):
            return StoreUnavailableError(
                f"server is unavailable: {type(exc).__name__}: {exc}", url=self.url, key=key
            )
        return StoreError(f"{type(exc).__name__}: {exc}", url=self.url, key=key)

    def _call(self, call: Callable[[], T], key: str | None, what: str = "request") -> T:
        try:
            return with_retries(call, self.options, is_transient=self._is_transient, describe=what)
        except Exception as exc:
            raise self._translate(exc, key) from None

    def _is_transient(self, exc: BaseException) -> bool:
        """Nothing is retried here: s3fs/gcsfs and botocore already retry their transient
        failures, bounded by ``RemoteOptions.retries`` (set up in ``from_url``)."""
        return False

    # -- reading --------------------------------------------------------------------------
    def get(self, key: str) -> bytes:
        return bytes(self._call(lambda: self.fs.cat_file(self._path(key)), key, "GET"))

    def get_range(self, key: str, start: int = 0, length: int | None = None) -> bytes:
        end = None if start < 0 or length is None else start + length
        if length is not None and length <= 0 and start >= 0:
            self.getsize(key)
            return b""
        path = self._path(key)
        # start < 0 with end None is sent as a suffix range ("bytes=-N"): one request, no
        # HEAD for the size (fsspec's _process_limits); a shard index read needs just that
        try:
            return bytes(
                self._call(lambda: self.fs.cat_file(path, start=start, end=end), key, "GET")
            )
        except (StoreUnavailableError, AuthenticationError, NotFoundError):
            raise
        except StoreError:
            # S3 answers 416 for a range starting at or past the end; the contract says b""
            if start >= self.getsize(key):
                return b""
            raise

    def _cat_ranges(
        self, keys: Sequence[str], starts: list[int | None], ends: list[int | None]
    ) -> builtins.list[Any]:
        paths = [self._path(k) for k in keys]
        return list(
            self._call(
                lambda: self.fs.cat_ranges(
                    paths, starts, ends, on_error="return", batch_size=self.max_concurrency
                ),
                keys[0] if keys else None,
                "GET (batch)",
            )
        )

    def _batch_value(self, key: str, value: Any) -> bytes | None:
        if isinstance(value, BaseException):
            error = self._translate(value, key)
            if isinstance(error, NotFoundError):
                return None
            raise error
        return bytes(value)

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes | None]:
        key_list = list(dict.fromkeys(keys))
        if len(key_list) <= 1 or not getattr(self.fs, "async_impl", False):
            return super().get_many(key_list)
        none: list[int | None] = [None] * len(key_list)
        values = self._cat_ranges(key_list, none, list(none))
        return {k: self._batch_value(k, v) for k, v in zip(key_list, values, strict=True)}

    def get_ranges(self, requests: Sequence[ByteRange]) -> builtins.list[bytes | None]:
        simple = all(r.start >= 0 and (r.length is None or r.length > 0) for r in requests)
        if len(requests) <= 1 or not simple or not getattr(self.fs, "async_impl", False):
            return super().get_ranges(requests)
        starts: list[int | None] = [r.start for r in requests]
        ends: list[int | None] = [
            None if r.length is None else r.start + r.length for r in requests
        ]
        values = self._cat_ranges([r.key for r in requests], starts, ends)
        return [self._batch_value(r.key, v) for r, v in zip(requests, values, strict=True)]

    def getsize(self, key: str) -> int:
        info = self._call(lambda: self.fs.info(self._path(key)), key, "HEAD")
        if info.get("type") == "directory":
            raise NotFoundError("no such key (a directory)", url=self.url, key=key)
        return int(info["size"])

    # -- writing --------------------------------------------------------------------------
    def set(self, key: str, value: bytes) -> None:
        self.check_writable(key)
        data = bytes(value)
        self._call(lambda: self.fs.pipe_file(self._path(key), data), key, "PUT")

    def delete(self, key: str) -> None:
        self.check_writable(key)
        self.getsize(key)  # object stores delete missing keys silently; the contract does not
        self._call(lambda: self.fs.rm_file(self._path(key)), key, "DELETE")

    def delete_prefix(self, prefix: str) -> None:
        self.check_writable(prefix)
        paths = [self._path(k) for k in self.list_prefix(prefix)]
        if paths:
            self._call(lambda: self.fs.rm(paths), prefix, "DELETE (batch)")

    # -- listing --------------------------------------------------------------------------
    def list_prefix(self, prefix: str) -> Iterator[str]:
        directory = prefix.rpartition("/")[0]
        base = self._path(directory)
        try:
            paths = self._call(lambda: self.fs.find(base), prefix, "LIST")
        except NotFoundError:
            return
        for path in sorted(paths):
            key = self._key_of(path)
            if key.startswith(prefix) and not key.endswith("/"):
                yield key

    def list_dir(self, prefix: str) -> builtins.list[str]:
        directory = normalize_key(prefix)
        path = self._path(directory)
        try:
            entries = self._call(lambda: self.fs.ls(path, detail=False), prefix, "LIST")
        except NotFoundError:
            return []
        names = set()
        for entry in entries:
            entry_path = str(self.fs._strip_protocol(str(entry))).rstrip("/")
            if entry_path == path:  # ls of a file lists the file itself
                continue
            names.add(entry_path.rsplit("/", 1)[-1])
        return sorted(names)
