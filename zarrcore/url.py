"""Turn a URL or path into a Store.

Each store class implements ``from_url(url, *, read_only, **options) -> Store``. Classes are
named here as ``"module:Class"`` strings and imported only when a URL of that kind is opened,
so a missing client library (redis, pymongo, s3fs, ...) fails with a clear message naming the
extra to install instead of slowing down every start-up.
"""

from __future__ import annotations

import importlib
import os
from typing import Any, Protocol, cast

from zarrcore.errors import UnsupportedError
from zarrcore.store.base import Store

#: URL scheme -> ("module:Class", pip extra that provides its client or None)
SCHEMES: dict[str, tuple[str, str | None]] = {
    "file": ("zarrcore.store.local:DirectoryStore", None),
    "memory": ("zarrcore.store.memory:MemoryStore", None),
    "zip": ("zarrcore.store.zip:ZipStore", None),
    "sqlite": ("zarrcore.store.sqlite:SQLiteStore", None),
    "n5": ("zarrcore.store.n5:N5Store", None),
    "redis": ("zarrcore.store.redis:RedisStore", "redis"),
    "rediss": ("zarrcore.store.redis:RedisStore", "redis"),
    "mongodb": ("zarrcore.store.mongodb:MongoDBStore", "mongodb"),
    "s3": ("zarrcore.store.s3:S3Store", "s3"),
    "az": ("zarrcore.store.azure:AzureBlobStore", "azure"),
    "abfs": ("zarrcore.store.azure:AzureBlobStore", "azure"),
    "gs": ("zarrcore.store.gcs:GCSStore", "gcs"),
    "gcs": ("zarrcore.store.gcs:GCSStore", "gcs"),
    "http": ("zarrcore.store.http:HTTPStore", "http"),
    "https": ("zarrcore.store.http:HTTPStore", "http"),
}

#: plain-path suffix -> scheme
SUFFIXES: dict[str, str] = {
    ".zip": "zip",
    ".n5": "n5",
    ".db": "sqlite",
    ".sqlite": "sqlite",
    ".sqlite3": "sqlite",
}


class _StoreFactory(Protocol):
    def from_url(self, url: str, *, read_only: bool, **options: Any) -> Store: ...


def url_scheme(url: str) -> str:
    """The scheme a URL or plain path opens with (``"file"`` for a plain directory)."""
    if "://" in url:
        scheme = url.split("://", 1)[0].lower()
        if scheme == "file":
            return _suffix_scheme(url[len("file://") :])
        return scheme
    return _suffix_scheme(url)


def _suffix_scheme(path: str) -> str:
    stripped = path.rstrip("/\\").lower()
    for suffix, scheme in SUFFIXES.items():
        if stripped.endswith(suffix):
            return scheme
    return _sniff_file(path.rstrip("/\\"))


def _sniff_file(path: str) -> str:
    """A regular file without a known suffix (``data.zarr`` holding a zip): its magic bytes."""
    try:
        if not os.path.isfile(path):
            return "file"
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError:
        return "file"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"SQLite format 3\x00"):
        return "sqlite"
    return "file"


def store_class(scheme: str) -> type[Store]:
    """Import and return the store class for ``scheme``."""
    try:
        target, extra = SCHEMES[scheme]
    except KeyError:
        raise UnsupportedError(f"URL scheme {scheme!r} is not supported", url=scheme) from None
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        missing = getattr(exc, "name", None) or str(exc)
        if module_name == exc.name or (missing and missing.startswith("zarrcore")):
            raise UnsupportedError(
                f"{scheme}:// stores are not supported yet", url=f"{scheme}://"
            ) from exc
        hint = f" (pip install 'zarrscope[{extra}]')" if extra else ""
        raise UnsupportedError(
            f"{scheme}:// needs the {missing!r} package, which is not installed{hint}",
            url=f"{scheme}://",
        ) from exc
    return cast(type[Store], getattr(module, class_name))


def open_store(
    url: str | os.PathLike[str] | Store, *, mode: str = "r", **options: Any
) -> Store:
    """Open the store a URL or path names. ``mode="r"`` opens it read-only.

    A ``Store`` instance is returned as it is. Options go to the store's ``from_url``
    (credentials, endpoint, timeouts, ...).
    """
    if isinstance(url, Store):
        return url
    text = os.fspath(url)
    scheme = url_scheme(text)
    cls = cast(_StoreFactory, store_class(scheme))
    return cls.from_url(text, read_only=(mode == "r"), **options)
