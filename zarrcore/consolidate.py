"""Consolidated metadata: write it, open through it (one read), check it for staleness.

Each format plugs in a :class:`ConsolidatedFormat` with :func:`register_consolidated_format`:
v2 ``.zmetadata`` lives here (:class:`V2Consolidated`); v3 inline consolidation (the root
``zarr.json``'s ``consolidated_metadata``) goes in ``zarrcore/consolidated_v3.py``, which is
imported on first use if it exists and registers itself, exactly like the format handlers
of :mod:`zarrcore.metadata.formats`.

A consolidated map is ``{key relative to the group: parsed JSON document}``; the
:class:`~zarrcore.metadata.formats.ConsolidatedSource` built from it serves node metadata
and listings without touching the store (chunks still come from the store).
"""

from __future__ import annotations

import importlib
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from zarrcore.errors import MetadataError, NotFoundError, UnsupportedError
from zarrcore.metadata.formats import ConsolidatedSource, join_key, normalize_path, read_node
from zarrcore.metadata.jsonutil import dumps_v2, jsonable, loads_document
from zarrcore.store.base import Store

V2_METADATA_KEY = ".zmetadata"
_V2_NAMES = (".zarray", ".zgroup", ".zattrs")


@dataclass
class ConsolidationReport:
    """How consolidated metadata compares with the hierarchy in the store.

    Entries are keys relative to the group (v2: ``"a/.zarray"``; v3: node paths).
    """

    url: str
    path: str
    zarr_format: int
    #: consolidated metadata exists at all
    present: bool
    #: in the store but not in the consolidated copy
    missing: list[str] = field(default_factory=list)
    #: in both, with different content
    changed: list[str] = field(default_factory=list)
    #: in the consolidated copy but no longer in the store
    extra: list[str] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        return not self.present or bool(self.missing or self.changed or self.extra)

    @property
    def up_to_date(self) -> bool:
        return not self.stale


class ConsolidatedFormat(ABC):
    """One format's consolidated metadata."""

    zarr_format: int
    #: documents fetched at the group root when opening (one batched read for all formats)
    root_keys: tuple[str, ...]

    @abstractmethod
    def recorded(
        self, store: Store, path: str, docs: Mapping[str, bytes | None]
    ) -> dict[str, Any] | None:
        """The consolidated map found in the fetched root documents, or None if absent."""

    @abstractmethod
    def live(self, store: Store, path: str) -> dict[str, Any]:
        """The map as it would be consolidated now (scans the store)."""

    @abstractmethod
    def write(self, store: Store, path: str) -> None:
        """Consolidate the hierarchy under ``path`` (atomically where the store allows)."""

    def comparable(self, key: str, value: Any) -> Any:
        """A recorded or live entry normalised for staleness checks (NaN tokens etc.)."""
        return jsonable(value)

    def source(self, store: Store, path: str, recorded: dict[str, Any]) -> ConsolidatedSource:
        """A metadata source serving nodes from the recorded map."""
        return ConsolidatedSource(store, recorded, root=path)


def write_atomically(store: Store, key: str, value: bytes) -> None:
    """One ``set`` where the store replaces values atomically; otherwise a complete copy is
    written to a temporary key first (kept only until the real key is written)."""
    if store.supports_atomic_writes or not store.supports_deletes:
        store.set(key, value)
        return
    temp_key = f"{key}.{uuid.uuid4().hex}.partial"
    store.set(temp_key, value)
    try:
        store.set(key, value)
    finally:
        store.delete(temp_key)


class V2Consolidated(ConsolidatedFormat):
    """zarr-python 2's ``.zmetadata`` (FORMATS.md 2.1)."""

    zarr_format = 2
    root_keys = (V2_METADATA_KEY,)

    def recorded(
        self, store: Store, path: str, docs: Mapping[str, bytes | None]
    ) -> dict[str, Any] | None:
        key = join_key(path, V2_METADATA_KEY)
        raw = docs.get(key)
        if raw is None:
            return None
        doc = loads_document(raw, url=store.url, key=key)
        if not isinstance(doc, dict):
            raise MetadataError(
                "consolidated metadata is not a JSON object", url=store.url, key=key
            )
        version = doc.get("zarr_consolidated_format")
        if version != 1:
            raise MetadataError(
                f"unsupported zarr_consolidated_format {version!r}", url=store.url, key=key
            )
        metadata = doc.get("metadata")
        if not isinstance(metadata, dict):
            raise MetadataError(
                "consolidated metadata lacks a 'metadata' object", url=store.url, key=key
            )
        return metadata

    def live(self, store: Store, path: str) -> dict[str, Any]:
        prefix = f"{path}/" if path else ""
        keys = sorted(
            key for key in store.list_prefix(prefix) if key.rsplit("/", 1)[-1] in _V2_NAMES
        )
        values = store.get_many(keys)
        result: dict[str, Any] = {}
        for key in keys:
            raw = values.get(key)
            if raw is not None:
                result[key[len(prefix) :]] = loads_document(raw, url=store.url, key=key)
        return result

    def comparable(self, key: str, value: Any) -> Any:
        # zarr-python 3 records child groups with an (empty) inline "consolidated_metadata"
        # that their .zgroup does not hold: not a difference
        if key.endswith(".zgroup") and isinstance(value, dict):
            value = {k: v for k, v in value.items() if k != "consolidated_metadata"}
        return jsonable(value)

    def write(self, store: Store, path: str) -> None:
        document = {"metadata": self.live(store, path), "zarr_consolidated_format": 1}
        write_atomically(store, join_key(path, V2_METADATA_KEY), dumps_v2(document))


_FORMATS: dict[int, ConsolidatedFormat] = {}
_lock = threading.Lock()
_loaded = False
#: modules that register more consolidated formats when they exist
EXTENSION_MODULES = ("zarrcore.consolidated_v3",)


def register_consolidated_format(fmt: ConsolidatedFormat) -> None:
    _FORMATS[fmt.zarr_format] = fmt


def consolidated_formats() -> list[ConsolidatedFormat]:
    global _loaded
    with _lock:
        if not _loaded:
            for name in EXTENSION_MODULES:
                try:
                    importlib.import_module(name)
                except ModuleNotFoundError as exc:
                    if exc.name != name:
                        raise
            _loaded = True
    return [_FORMATS[k] for k in sorted(_FORMATS)]


def _format_for(zarr_format: int, url: str) -> ConsolidatedFormat:
    for fmt in consolidated_formats():
        if fmt.zarr_format == zarr_format:
            return fmt
    raise UnsupportedError(
        f"consolidated metadata for zarr v{zarr_format} is not supported", url=url
    )


def load_consolidated(
    store: Store, path: str = ""
) -> tuple[ConsolidatedFormat, dict[str, Any]] | None:
    """Fetch every format's root document(s) in ONE batched read; return the first map."""
    path = normalize_path(path)
    formats = consolidated_formats()
    keys = [join_key(path, name) for fmt in formats for name in fmt.root_keys]
    docs = store.get_many(list(dict.fromkeys(keys)))
    for fmt in formats:
        recorded = fmt.recorded(store, path, docs)
        if recorded is not None:
            return fmt, recorded
    return None


def open_consolidated_source(store: Store, path: str = "") -> ConsolidatedSource:
    """The consolidated metadata source of the group at ``path`` (NotFoundError if none)."""
    path = normalize_path(path)
    found = load_consolidated(store, path)
    if found is None:
        raise NotFoundError(
            "no consolidated metadata found", url=store.url, key=join_key(path, V2_METADATA_KEY)
        )
    fmt, recorded = found
    return fmt.source(store, path, recorded)


def consolidate(store: Store, path: str = "") -> ConsolidatedFormat:
    """Write consolidated metadata for the group at ``path`` in its own format."""
    path = normalize_path(path)
    meta = read_node(store, path)
    fmt = _format_for(meta.zarr_format, store.url)
    fmt.write(store, path)
    return fmt


def check(store: Store, path: str = "") -> ConsolidationReport:
    """Compare the recorded consolidated metadata with what the store holds now."""
    path = normalize_path(path)
    meta = read_node(store, path)
    fmt = _format_for(meta.zarr_format, store.url)
    docs = store.get_many([join_key(path, name) for name in fmt.root_keys])
    recorded = fmt.recorded(store, path, docs)
    live = fmt.live(store, path)
    if recorded is None:
        return ConsolidationReport(
            store.url, path, meta.zarr_format, present=False, missing=sorted(live)
        )
    recorded_n = {k: fmt.comparable(k, v) for k, v in recorded.items()}
    live_n = {k: fmt.comparable(k, v) for k, v in live.items()}
    return ConsolidationReport(
        store.url,
        path,
        meta.zarr_format,
        present=True,
        missing=sorted(set(live_n) - set(recorded_n)),
        changed=sorted(k for k in set(live_n) & set(recorded_n) if live_n[k] != recorded_n[k]),
        extra=sorted(set(recorded_n) - set(live_n)),
    )


register_consolidated_format(V2Consolidated())
