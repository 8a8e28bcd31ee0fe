"""Zarr v3 consolidated metadata, inline in the group's ``zarr.json`` (FORMATS.md 2.2).

zarr-python 3 writes ``"consolidated_metadata": {"kind": "inline", "must_understand": false,
"metadata": {...}}`` into the root group's ``zarr.json``; ``metadata`` maps every descendant
node path, flattened (``"a/b"``), to its full ``zarr.json`` document, child groups carrying an
empty ``consolidated_metadata`` of their own. Registered with :mod:`zarrcore.consolidate`
(imported there on first use), so ``open_consolidated`` / ``consolidate_metadata`` /
``check_consolidated`` handle v3 hierarchies too.

The map handed to the generic code is ``{node path: document}`` with ``""`` for the group
itself (its own document without the consolidated block), so the stale check compares the
group's attributes as well as every descendant.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zarrcore.consolidate import (
    ConsolidatedFormat,
    register_consolidated_format,
    write_atomically,
)
from zarrcore.errors import MetadataError, UnsupportedError
from zarrcore.metadata.formats import ConsolidatedSource, join_key
from zarrcore.metadata.jsonutil import loads_document
from zarrcore.metadata.v3 import ZARR_JSON, V3GroupMetadata, dumps_json, parse_v3_document
from zarrcore.store.base import Store

KIND = "inline"


def empty_block() -> dict[str, Any]:
    return {"kind": KIND, "must_understand": False, "metadata": {}}


def _without_block(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "consolidated_metadata"}


def normalized(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A node document rewritten the way zarrcore (and zarr-python) writes it, so documents
    that say the same thing compare equal: tensorstore, for one, omits empty ``attributes``
    and ``storage_transformers``. Documents zarrcore cannot parse stay as they are."""
    try:
        meta = parse_v3_document(doc)
    except (MetadataError, UnsupportedError):
        return dict(doc)
    result = meta.to_json()
    if "consolidated_metadata" not in doc:
        result.pop("consolidated_metadata", None)
    if "fill_value" in result:
        result["fill_value"] = _nan_alike(result["fill_value"])
    return result


def _nan_alike(fill: Any) -> Any:
    """Every NaN fill spelling ("NaN", hex with any payload) as "NaN": zarr-python 3.1
    consolidates a ``"0x7fc00001"`` fill as ``"NaN"``, which is not a change of meaning."""
    if isinstance(fill, list):
        return [_nan_alike(part) for part in fill]
    if isinstance(fill, str) and fill.startswith("0x") and len(fill) in (6, 10, 18):
        try:
            bits = int(fill, 16)
        except ValueError:
            return fill
        exp_bits = {6: 5, 10: 8, 18: 11}[len(fill)]
        mant_bits = (len(fill) - 2) * 4 - 1 - exp_bits
        exponent = (bits >> mant_bits) & ((1 << exp_bits) - 1)
        if exponent == (1 << exp_bits) - 1 and bits & ((1 << mant_bits) - 1):
            return "NaN"
    return fill


def _as_member(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A descendant's document as zarr-python records it in the map."""
    doc = normalized(doc)
    if doc.get("node_type") != "group":
        return doc
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if key == "consolidated_metadata":
            continue
        if key == "node_type":
            out["consolidated_metadata"] = empty_block()
        out[key] = value
    return out


class V3Consolidated(ConsolidatedFormat):
    """Inline consolidated metadata of zarr-python 3."""

    zarr_format = 3
    root_keys = (ZARR_JSON,)

    def recorded(
        self, store: Store, path: str, docs: Mapping[str, bytes | None]
    ) -> dict[str, Any] | None:
        key = join_key(path, ZARR_JSON)
        raw = docs.get(key)
        if raw is None:
            return None
        doc = loads_document(raw, url=store.url, key=key)
        if not isinstance(doc, dict) or doc.get("node_type") != "group":
            return None
        block = doc.get("consolidated_metadata")
        if block is None:
            return None
        if not isinstance(block, dict) or not isinstance(block.get("metadata"), dict):
            raise MetadataError(
                "consolidated_metadata lacks a 'metadata' object", url=store.url, key=key
            )
        if block.get("kind", KIND) != KIND:
            raise MetadataError(
                f"consolidated_metadata kind {block.get('kind')!r} is not supported",
                url=store.url,
                key=key,
            )
        result: dict[str, Any] = {"": normalized(_without_block(doc))}
        for node_path, node_doc in block["metadata"].items():
            if not isinstance(node_doc, dict):
                raise MetadataError(
                    f"consolidated entry {node_path!r} is not an object", url=store.url, key=key
                )
            result[str(node_path).strip("/")] = normalized(node_doc)
        return result

    def live(self, store: Store, path: str) -> dict[str, Any]:
        prefix = f"{path}/" if path else ""
        keys = sorted(
            key
            for key in store.list_prefix(prefix)
            if key == join_key(path, ZARR_JSON) or key.endswith("/" + ZARR_JSON)
        )
        values = store.get_many(keys)
        result: dict[str, Any] = {}
        for key in keys:
            raw = values.get(key)
            if raw is None:
                continue
            doc = loads_document(raw, url=store.url, key=key)
            if not isinstance(doc, dict) or doc.get("zarr_format") != 3:
                continue
            node_path = key[len(prefix) : -len(ZARR_JSON)].rstrip("/")
            result[node_path] = (
                normalized(_without_block(doc)) if node_path == "" else _as_member(doc)
            )
        return result

    def write(self, store: Store, path: str) -> None:
        live = self.live(store, path)
        root_doc = live.pop("", None)
        key = join_key(path, ZARR_JSON)
        if root_doc is None:
            raise MetadataError("no v3 group to consolidate", url=store.url, key=key)
        group = V3GroupMetadata.from_json(root_doc)
        group.consolidated = {
            "kind": KIND,
            "must_understand": False,
            "metadata": {name: live[name] for name in sorted(live)},
        }
        write_atomically(store, key, dumps_json(group.to_json()))

    def source(self, store: Store, path: str, recorded: dict[str, Any]) -> ConsolidatedSource:
        docs = {join_key(node_path, ZARR_JSON): doc for node_path, doc in recorded.items()}
        return ConsolidatedSource(store, docs, root=path)


register_consolidated_format(V3Consolidated())
