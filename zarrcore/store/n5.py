"""N5 container presented as a zarr v2 key space (FORMATS.md section 6).

``N5Store`` wraps another store holding the N5 files (a :class:`DirectoryStore` for a path
ending in ``.n5`` or an ``n5://`` URL) and translates on the fly, like zarr-python 2.18's
``N5Store``:

- ``<path>/.zarray``, ``.zgroup`` and ``.zattrs`` are read from and merged into
  ``<path>/attributes.json`` (:mod:`zarrcore.metadata.n5`). Every directory outside a
  dataset is a group, also when it has no ``attributes.json`` (n5-java only writes one where
  attributes were set).
- A chunk key ``<dataset>/i.j`` is the file ``<dataset>/j/i`` (N5 axis order). Keys in
  directories that are not datasets pass through unchanged, so the store stays a plain
  key/value store for anything else.
- Writing an edge chunk rewrites it as a truncated block, as n5-java does (only the store
  knows the dataset shape; the ``n5_wrapper`` codec writes full blocks).

Listings translate back: chunk files under a dataset show as ``i.j`` keys, ``attributes.json``
as ``.zarray``/``.zgroup`` (+ ``.zattrs`` when there are user attributes).
"""

from __future__ import annotations

import builtins
import json
import re
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from zarrcore.codecs.n5 import N5ChunkCodec, truncate_block
from zarrcore.errors import MetadataError, NotFoundError, ZarrcoreError
from zarrcore.metadata import n5 as n5meta
from zarrcore.metadata.jsonutil import dumps_v2, loads_document
from zarrcore.store.base import Store, normalize_key

ATTRS_NAME = "attributes.json"
ZARRAY, ZGROUP, ZATTRS = ".zarray", ".zgroup", ".zattrs"
_META_NAMES = (ZARRAY, ZGROUP, ZATTRS)
_CHUNK_NAME = re.compile(r"^\d+(\.\d+)*$")
_DIGITS = re.compile(r"^\d+$")


def _split(key: str) -> tuple[str, str]:
    """``("a/b", "name")`` for ``"a/b/name"``; ``("", "name")`` at the root."""
    head, _, name = key.rpartition("/")
    return head, name


def _join(directory: str, name: str) -> str:
    return f"{directory}/{name}" if directory else name


class N5Store(Store):
    """zarr v2 view of an N5 container held by ``inner``."""

    #: metadata written is stored in another form and reads back differently (the array
    #: layer re-reads ``.zarray`` after creating an array, as zarr-python does)
    translates_metadata = True

    def __init__(self, inner: Store, *, url: str | None = None) -> None:
        super().__init__(url or inner.url, read_only=inner.read_only)
        self.inner = inner
        self.supports_writes = inner.supports_writes
        self.supports_deletes = inner.supports_deletes
        self.supports_listing = inner.supports_listing
        self.supports_partial_reads = inner.supports_partial_reads
        self.supports_atomic_writes = inner.supports_atomic_writes
        self.is_remote = inner.is_remote
        self.max_concurrency = inner.max_concurrency
        self._lock = threading.Lock()
        #: dataset directory -> its parsed attributes.json (datasets only, our writes update it)
        self._datasets: dict[str, dict[str, Any]] = {}

    @classmethod
    def from_url(cls, url: str, *, read_only: bool = False, **options: Any) -> N5Store:
        from zarrcore.store.local import DirectoryStore

        path = url[len("n5://") :] if url.lower().startswith("n5://") else url
        inner = DirectoryStore.from_url(path, read_only=read_only, **options)
        return cls(inner, url=url)

    # -- attributes.json -------------------------------------------------------------------
    def _attrs_key(self, directory: str) -> str:
        return _join(directory, ATTRS_NAME)

    def _read_attrs(self, directory: str) -> dict[str, Any] | None:
        """The parsed ``attributes.json`` of ``directory``; None when the file is absent."""
        key = self._attrs_key(directory)
        try:
            raw = self.inner.get(key)
        except NotFoundError:
            return None
        return self._parse_attrs(directory, raw)

    def _read_many_attrs(self, directories: Iterable[str]) -> dict[str, dict[str, Any] | None]:
        """``attributes.json`` of several directories in one batch from the inner store."""
        wanted = {self._attrs_key(d): d for d in directories}
        raw = self.inner.get_many(list(wanted))
        return {
            directory: None if raw.get(key) is None else self._parse_attrs(directory, raw[key])
            for key, directory in wanted.items()
        }

    def _parse_attrs(self, directory: str, raw: bytes | None) -> dict[str, Any] | None:
        if raw is None:
            return None
        key = self._attrs_key(directory)
        doc = loads_document(raw, url=self.url, key=key) if raw.strip() else {}
        if not isinstance(doc, dict):
            raise MetadataError("attributes.json is not a JSON object", url=self.url, key=key)
        if n5meta.is_dataset(doc):
            with self._lock:
                self._datasets[directory] = doc
        return doc

    def _write_attrs(self, directory: str, attrs: dict[str, Any]) -> None:
        key = self._attrs_key(directory)
        with self._lock:
            self._datasets.pop(directory, None)
        self.inner.set(key, dumps_v2(attrs))

    def _dataset_attrs(self, directory: str) -> dict[str, Any] | None:
        """Attributes of the dataset at ``directory`` (cached), None if it is not one."""
        with self._lock:
            cached = self._datasets.get(directory)
        if cached is not None:
            return cached
        attrs = self._read_attrs(directory)
        return attrs if attrs is not None and n5meta.is_dataset(attrs) else None

    def _is_chunk_of_dataset(self, key: str) -> tuple[str, str] | None:
        directory, name = _split(key)
        if not _CHUNK_NAME.match(name):
            return None
        if self._dataset_attrs(directory) is None:
            return None
        return directory, name

    def _chunk_file(self, directory: str, name: str) -> str:
        return _join(directory, "/".join(reversed(name.split("."))))

    def _translate(self, key: str) -> str:
        """The inner key of a non-metadata key (chunk keys of datasets are inverted)."""
        chunk = self._is_chunk_of_dataset(key)
        return self._chunk_file(*chunk) if chunk else key

    # -- reading ---------------------------------------------------------------------------
    def _not_found(self, key: str) -> NotFoundError:
        return NotFoundError("no such key", url=self.url, key=key)

    def _metadata(
        self, key: str, documents: dict[str, dict[str, Any] | None] | None = None
    ) -> bytes:
        """A zarr metadata document; ``documents`` caches attributes.json within one call."""
        directory, name = _split(key)
        if documents is None:
            attrs = self._read_attrs(directory)
        elif directory in documents:
            attrs = documents[directory]
        else:
            attrs = documents[directory] = self._read_attrs(directory)
        where = self._attrs_key(directory)
        if name == ZARRAY:
            if attrs is None or not n5meta.is_dataset(attrs):
                raise self._not_found(key)
            return dumps_v2(n5meta.attributes_to_zarray(attrs, url=self.url, key=where))
        if name == ZGROUP:
            if attrs is not None and n5meta.is_dataset(attrs):
                raise self._not_found(key)
            if attrs is None and not self._is_implicit_group(directory):
                raise self._not_found(key)
            return dumps_v2({"zarr_format": 2})
        user = n5meta.user_attributes(attrs or {})
        if not user:
            raise self._not_found(key)
        # bare NaN/Infinity kept: the virtual .zattrs must give back the floats it holds
        return json.dumps(user, indent=4, sort_keys=True).encode("ascii")

    def _is_implicit_group(self, directory: str) -> bool:
        """A directory without attributes.json that holds something and is in no dataset."""
        if not self.supports_listing:
            return False
        if any(self._dataset_attrs(d) is not None for d in self._ancestors(directory)):
            return False
        return bool(self.inner.list_dir(directory + "/" if directory else ""))

    @staticmethod
    def _ancestors(directory: str) -> list[str]:
        parts = directory.split("/") if directory else []
        return ["/".join(parts[:i]) for i in range(len(parts))]

    def get(self, key: str) -> bytes:
        key = normalize_key(key)
        if _split(key)[1] in _META_NAMES:
            return self._metadata(key)
        try:
            return self.inner.get(self._translate(key))
        except NotFoundError:
            raise self._not_found(key) from None

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes | None]:
        """Metadata keys one by one; everything else in one batch from the inner store."""
        result: dict[str, bytes | None] = {}
        inner_keys: dict[str, str] = {}
        unique = list(dict.fromkeys(keys))
        meta_dirs = {_split(normalize_key(k))[0] for k in unique if _split(k)[1] in _META_NAMES}
        # one batched attributes.json read per node, however many documents are asked for
        documents = self._read_many_attrs(meta_dirs) if meta_dirs else {}
        for key in unique:
            normalized = normalize_key(key)
            if _split(normalized)[1] in _META_NAMES:
                try:
                    result[key] = self._metadata(normalized, documents)
                except NotFoundError:
                    result[key] = None
            else:
                inner_keys[key] = self._translate(normalized)
        if inner_keys:
            values = self.inner.get_many(list(inner_keys.values()))
            for key, inner_key in inner_keys.items():
                result[key] = values.get(inner_key)
        return result

    def get_range(self, key: str, start: int = 0, length: int | None = None) -> bytes:
        key = normalize_key(key)
        if _split(key)[1] in _META_NAMES:
            return super().get_range(key, start, length)
        try:
            return self.inner.get_range(self._translate(key), start, length)
        except NotFoundError:
            raise self._not_found(key) from None

    def getsize(self, key: str) -> int:
        key = normalize_key(key)
        if _split(key)[1] in _META_NAMES:
            return len(self._metadata(key))
        try:
            return self.inner.getsize(self._translate(key))
        except NotFoundError:
            raise self._not_found(key) from None

    def exists(self, key: str) -> bool:
        try:
            self.getsize(key)
        except NotFoundError:
            return False
        return True

    # -- writing ---------------------------------------------------------------------------
    def _load_json(self, key: str, value: bytes) -> dict[str, Any]:
        doc = loads_document(bytes(value), url=self.url, key=key)
        if not isinstance(doc, dict):
            raise MetadataError(f"{_split(key)[1]} must be a JSON object", url=self.url, key=key)
        return doc

    def _set_metadata(self, key: str, value: bytes) -> None:
        directory, name = _split(key)
        doc = self._load_json(key, value)
        attrs = self._read_attrs(directory) or {}
        if name == ZARRAY:
            for field in ("dimensions", "blockSize", "dataType", "compression"):
                attrs.pop(field, None)
            attrs.pop("compressionType", None)
            attrs.update(
                n5meta.zarray_to_attributes(doc, top_level=not directory, url=self.url, key=key)
            )
        elif name == ZGROUP:
            if n5meta.is_dataset(attrs):
                for field in ("dimensions", "blockSize", "dataType", "compression"):
                    attrs.pop(field, None)
            attrs["n5"] = n5meta.N5_VERSION
        else:
            n5meta.check_user_attributes(doc, url=self.url, key=key)
            attrs = {k: v for k, v in attrs.items() if k in n5meta.N5_KEYWORDS}
            attrs.update(doc)
        self._write_attrs(directory, attrs)

    def set(self, key: str, value: bytes) -> None:
        self.check_writable(key)
        key = normalize_key(key)
        if _split(key)[1] in _META_NAMES:
            self._set_metadata(key, value)
            return
        chunk = self._is_chunk_of_dataset(key)
        if chunk is None:
            self.inner.set(key, value)
            return
        directory, name = chunk
        self.inner.set(self._chunk_file(directory, name), self._edge_block(directory, name, value))

    def _edge_block(self, directory: str, name: str, value: bytes) -> bytes:
        """Truncate an edge chunk to the part inside the dataset, as n5-java writes it."""
        attrs = self._dataset_attrs(directory)
        if attrs is None:
            return value
        where = _join(directory, name)
        zarray = n5meta.attributes_to_zarray(attrs, url=self.url, key=self._attrs_key(directory))
        shape, chunks = zarray["shape"], zarray["chunks"]
        coords = [int(c) for c in name.split(".")]
        if len(coords) != len(shape):
            return value
        actual = tuple(
            max(0, min(c, s - i * c)) for i, c, s in zip(coords, chunks, shape, strict=True)
        )
        if actual == tuple(chunks) or 0 in actual:
            return value
        codec = N5ChunkCodec.from_config(zarray["compressor"])
        try:
            return truncate_block(codec, bytes(value), actual)
        except ZarrcoreError as exc:
            exc.url = exc.url or self.url
            exc.key = exc.key or where
            raise

    def delete(self, key: str) -> None:
        self.check_writable(key)
        key = normalize_key(key)
        directory, name = _split(key)
        if name not in _META_NAMES:
            try:
                self.inner.delete(self._translate(key))
            except NotFoundError:
                raise self._not_found(key) from None
            return
        self._metadata(key)  # NotFoundError when there is nothing to delete
        attrs = self._read_attrs(directory)
        if attrs is None:
            return  # an implicit group: nothing stored
        if name == ZARRAY:
            kept = {
                k: v
                for k, v in attrs.items()
                if k
                not in ("dimensions", "blockSize", "dataType", "compression", "compressionType")
            }
        elif name == ZGROUP:
            kept = {k: v for k, v in attrs.items() if k != "n5"}
        else:
            kept = {k: v for k, v in attrs.items() if k in n5meta.N5_KEYWORDS}
        if kept:
            self._write_attrs(directory, kept)
        else:
            with self._lock:
                self._datasets.pop(directory, None)
            self.inner.delete(self._attrs_key(directory))

    def delete_prefix(self, prefix: str) -> None:
        self.check_writable(prefix)
        directory = prefix.rstrip("/")
        if prefix and not prefix.endswith("/"):
            super().delete_prefix(prefix)
            return
        with self._lock:
            for cached in list(self._datasets):
                if not directory or cached == directory or cached.startswith(directory + "/"):
                    del self._datasets[cached]
        self.inner.delete_prefix(prefix)

    # -- listing ---------------------------------------------------------------------------
    def _virtual_keys(self, inner_keys: Iterable[str]) -> Iterator[str]:
        """Translate inner keys (files) into the zarr key space.

        Groups are listed where they have an ``attributes.json``; directories without one
        are implicit groups that ``get(".zgroup")`` answers but listings do not invent, so
        every listed key maps to a stored file.
        """
        keys = list(inner_keys)
        attrs_dirs = {_split(k)[0] for k in keys if _split(k)[1] == ATTRS_NAME}
        documents: dict[str, dict[str, Any]] = {}
        for directory in attrs_dirs:
            attrs = self._read_attrs(directory)
            if attrs is not None:
                documents[directory] = attrs
        dataset_dirs = {d for d, a in documents.items() if n5meta.is_dataset(a)}
        for key in keys:
            directory, name = _split(key)
            owner = self._owning_dataset(directory, dataset_dirs)
            if owner is None:
                if name != ATTRS_NAME:
                    yield key
                elif directory in documents:
                    yield _join(directory, ZGROUP)
                    if n5meta.user_attributes(documents[directory]):
                        yield _join(directory, ZATTRS)
                continue
            if owner == directory and name == ATTRS_NAME:
                yield _join(owner, ZARRAY)
                if n5meta.user_attributes(documents[owner]):
                    yield _join(owner, ZATTRS)
                continue
            parts = (key[len(owner) + 1 :] if owner else key).split("/")
            if all(_DIGITS.match(p) for p in parts):
                yield _join(owner, ".".join(reversed(parts)))

    @staticmethod
    def _owning_dataset(directory: str, dataset_dirs: builtins.set[str]) -> str | None:
        """The dataset directory ``directory`` is (or is inside), if any."""
        if not dataset_dirs:
            return None
        parts = directory.split("/") if directory else []
        for i in range(len(parts) + 1):
            candidate = "/".join(parts[:i])
            if candidate in dataset_dirs:
                return candidate
        return None

    def list_prefix(self, prefix: str) -> Iterator[str]:
        head = _split(prefix)[0]
        owner = next(
            (d for d in [*self._ancestors(head), head] if self._dataset_attrs(d) is not None),
            None,
        )
        # chunk files of a dataset do not share the prefix of their keys: list the dataset
        start = owner if owner is not None else head
        inner_prefix = start + "/" if start else ""
        keys = sorted(set(self._virtual_keys(self.inner.list_prefix(inner_prefix))))
        return iter([k for k in keys if k.startswith(prefix)])

    def list_dir(self, prefix: str) -> builtins.list[str]:
        directory = normalize_key(prefix)
        if self._dataset_attrs(directory) is not None:
            inner_prefix = directory + "/" if directory else ""
            keys = self._virtual_keys(self.inner.list_prefix(inner_prefix))
            base = directory + "/" if directory else ""
            names = {k[len(base) :] for k in keys if k.startswith(base)}
            return sorted(n for n in names if "/" not in n)
        if any(self._dataset_attrs(d) is not None for d in self._ancestors(directory)):
            return []  # inside a dataset: chunk directories are not part of the zarr key space
        names = set(self.inner.list_dir(prefix))
        if not names:
            return []
        attrs = self._read_attrs(directory) if ATTRS_NAME in names else None
        names.discard(ATTRS_NAME)
        if attrs is not None:
            names.add(ZGROUP)
            if n5meta.user_attributes(attrs):
                names.add(ZATTRS)
        return sorted(names)

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        super().close()
        self.inner.close()


def wrap_if_n5(store: Store) -> Store:
    """``store`` wrapped in an N5Store when its root holds N5 rather than zarr metadata.

    Plain paths and URLs without the ``.n5`` suffix (a dataset directory inside a container,
    ``s3://bucket/volume``) are N5 when ``attributes.json`` is there and no zarr document is.
    """
    if isinstance(store, N5Store):
        return store
    if not store.exists(ATTRS_NAME):  # one lookup for the usual zarr store
        return store
    if any(store.exists(name) for name in (".zgroup", ".zarray", "zarr.json")):
        return store
    return N5Store(store)
