"""What the metadata panel shows about a node, computed off the UI thread (no Qt).

:func:`describe_node` reads only metadata already loaded with the node.
:func:`storage_stats` may list the store and query chunk sizes, so it runs as its own job.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import zarrcore
from app.models.hierarchy import is_array, kind_of, multiscales_of
from app.models.job_queue import CancelToken
from app.models.tree_nodes import NodeKind

#: arrays with more chunks than this are not measured chunk by chunk
MAX_MEASURED_CHUNKS = 100_000


@dataclass(frozen=True, slots=True)
class NodeInfo:
    path: str
    kind: NodeKind
    rows: list[tuple[str, str]]
    attributes: dict[str, Any] = field(hash=False)
    writable: bool = False


@dataclass(frozen=True, slots=True)
class StorageStats:
    chunks_total: int
    chunks_stored: int
    bytes_stored: int | None
    bytes_decoded: int  # stored chunks x decoded chunk size

    @property
    def ratio(self) -> float | None:
        if not self.bytes_stored:
            return None
        return self.bytes_decoded / self.bytes_stored

    def rows(self) -> list[tuple[str, str]]:
        out = [("Chunks stored", f"{self.chunks_stored:,} of {self.chunks_total:,}")]
        if self.bytes_stored is not None:
            out.append(("Stored bytes", format_bytes(self.bytes_stored)))
            ratio = self.ratio
            out.append(("Compression ratio", f"{ratio:.2f}x" if ratio else "n/a"))
        return out


def format_bytes(nbytes: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(nbytes) < 1024 or unit == "TiB":
            return f"{nbytes:.0f} {unit}" if unit == "B" else f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    return f"{nbytes:.1f} TiB"


def _attributes(node: Any) -> dict[str, Any]:
    attrs = node.attrs
    if hasattr(attrs, "asdict"):
        return dict(attrs.asdict())
    return dict(attrs)


def _writable(node: Any) -> bool:
    """Attributes can be saved when the store takes writes (consolidated copies are refreshed)."""
    read_only = getattr(node, "read_only", None)
    if read_only is None:
        mode = getattr(node, "mode", "r")
        return mode != "r"
    return not read_only


def _codec_text(codec: Any) -> str:
    if codec is None:
        return "none"
    config = getattr(codec, "get_config", None)
    if callable(config):
        return json.dumps(config(), default=str)
    to_dict = getattr(codec, "to_dict", None)
    if callable(to_dict):
        return json.dumps(to_dict(), default=str)
    return repr(codec)


def _codec_rows(array: Any) -> list[tuple[str, str]]:
    describe = getattr(array, "describe", None)
    if callable(describe):
        return _described_codec_rows(describe())
    rows: list[tuple[str, str]] = []
    codecs = getattr(array, "codecs", None)
    if codecs:
        rows.append(("Codecs", " → ".join(_codec_text(c) for c in codecs)))
    filters = getattr(array, "filters", None)
    if filters:
        rows.append(("Filters", " → ".join(_codec_text(c) for c in filters)))
    if hasattr(array, "compressor") and not codecs:
        rows.append(("Compressor", _codec_text(array.compressor)))
    return rows


def _described_codec_rows(info: dict[str, Any]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for key, label in (("filters", "Filters"), ("compressor", "Compressor"), ("codecs", "Codecs")):
        if key not in info:
            continue
        value = info[key]
        if isinstance(value, list | tuple):
            text = " → ".join(json.dumps(v, default=str) for v in value) if value else "none"
        else:
            text = "none" if value is None else json.dumps(value, default=str)
        rows.append((label, text))
    if info.get("dimension_separator"):
        rows.append(("Dimension separator", repr(info["dimension_separator"])))
    return rows


def describe_node(path: str, node: Any, children: list[tuple[str, bool]] | None = None) -> NodeInfo:
    """Rows for the panel. For a group, ``children`` (name, is_array) already listed by the
    tree saves listing it again."""
    kind = kind_of(node)
    rows: list[tuple[str, str]] = [("Path", "/" + path), ("Kind", kind.value)]
    zarr_format = getattr(node, "zarr_format", None)
    if zarr_format is not None:
        rows.append(("Zarr format", str(zarr_format)))
    if is_array(node):
        shape = tuple(int(n) for n in node.shape)
        chunks = tuple(int(c) for c in node.chunks)
        dtype = np.dtype(node.dtype)
        rows += [
            ("Shape", " x ".join(map(str, shape)) or "()"),
            ("Chunks", " x ".join(map(str, chunks)) or "()"),
            ("Data type", _dtype_text(dtype)),
            ("Fill value", fill_value_text(node.fill_value)),
        ]
        order = getattr(node, "order", None)
        if order is not None:
            rows.append(("Order", str(order)))
        shards = getattr(node, "shards", None)
        if shards:
            inner = getattr(node, "inner_chunks", chunks)
            rows.append(("Shards", " x ".join(map(str, shards))))
            rows.append(("Inner chunks", " x ".join(map(str, inner))))
        rows += _codec_rows(node)
        nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        rows.append(("Size (decoded)", format_bytes(nbytes)))
        rows.append(("Chunks (total)", f"{_nchunks(node):,}"))
    else:
        if children is None:
            children = [(name, is_array(child)) for name, child in node.members()]
        names = [name for name, _ in children]
        arrays = sum(1 for _, child_is_array in children if child_is_array)
        groups = len(children) - arrays
        if names:
            rows.append(("Members", f"{len(names):,} ({groups:,} groups, {arrays:,} arrays)"))
            shown = ", ".join(names[:20]) + (", …" if len(names) > 20 else "")
            rows.append(("Names", shown))
        scales = multiscales_of(node.attrs)
        if scales:
            datasets = scales[0].get("datasets", [])
            rows.append(("OME-NGFF levels", ", ".join(str(d.get("path")) for d in datasets)))
            axes = scales[0].get("axes")
            if axes:
                rows.append(("Axes", ", ".join(_axis_name(a) for a in axes)))
    return NodeInfo(
        path=path, kind=kind, rows=rows, attributes=_attributes(node), writable=_writable(node)
    )


def fill_value_text(value: Any) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return "NaN"
    if isinstance(value, np.ndarray):
        return repr(value.tolist())
    return repr(value)


def _axis_name(axis: Any) -> str:
    return str(axis.get("name")) if isinstance(axis, dict) else str(axis)


def _dtype_text(dtype: np.dtype[Any]) -> str:
    if dtype.fields:
        return "structured " + str(dtype.descr)
    return f"{dtype.name} ({dtype.str})"


def _nchunks(array: Any) -> int:
    nchunks = getattr(array, "nchunks", None)
    if nchunks is not None:
        return int(nchunks)
    return int(np.prod([-(-s // c) for s, c in zip(array.shape, array.chunks, strict=True)]))


def storage_stats(array: Any, token: CancelToken | None = None) -> StorageStats:
    """Stored vs total chunks and stored bytes, from the engine's chunk listing and sizes."""
    total = _nchunks(array)
    chunk_nbytes = int(np.prod(array.chunks, dtype=np.int64)) * np.dtype(array.dtype).itemsize
    if total > MAX_MEASURED_CHUNKS:
        raise ValueError(
            f"{total:,} chunks: too many to measure here (limit {MAX_MEASURED_CHUNKS:,})"
        )
    stored = 0
    nbytes: int | None = 0
    coords_iter = getattr(array, "iter_chunk_coords", None)
    all_coords = list(coords_iter()) if callable(coords_iter) else list(array.chunk_keys())
    with ThreadPoolExecutor(max_workers=8, thread_name_prefix="zarrscope-stats") as pool:
        for start in range(0, len(all_coords), 256):
            if token is not None:
                token.raise_if_cancelled()
            batch = all_coords[start : start + 256]
            for info in pool.map(array.chunk_info, batch):
                if not _info_stored(info):
                    continue
                stored += 1
                size = _info_nbytes(info)
                if size is None or nbytes is None:
                    nbytes = None
                else:
                    nbytes += size
    return StorageStats(
        chunks_total=total,
        chunks_stored=stored,
        bytes_stored=nbytes,
        bytes_decoded=stored * chunk_nbytes,
    )


def _info_stored(info: Any) -> bool:
    if isinstance(info, tuple):
        return bool(info[0])
    return bool(getattr(info, "stored", False))


def _info_nbytes(info: Any) -> int | None:
    if isinstance(info, tuple):
        return None if info[1] is None else int(info[1])
    value = getattr(info, "nbytes_stored", getattr(info, "nbytes", None))
    return None if value is None else int(value)


@dataclass(frozen=True, slots=True)
class SavedAttributes:
    attributes: dict[str, Any] = field(hash=False)
    #: the node re-opened after the write (replaces the caller's stale handle)
    node: Any = None
    consolidated_refreshed: bool = False


def save_attributes(node: Any, attributes: dict[str, Any]) -> SavedAttributes:
    """Replace the node's attributes.

    A node opened through consolidated metadata has read-only metadata: its own document is
    written through a plain handle, then the consolidated copy is rewritten so it does not go
    stale (one scan of the hierarchy).
    """
    if getattr(node, "metadata_read_only", False) and not getattr(node, "read_only", True):
        plain = zarrcore.open(node.store, mode="r+", path=node.path)
        plain.attrs.put(attributes)
        zarrcore.consolidate_metadata(node.store)
        fresh = zarrcore.open_consolidated(node.store, mode="r+")
        fresh_node = fresh[node.path] if node.path else fresh
        return SavedAttributes(_attributes(fresh_node), fresh_node, consolidated_refreshed=True)
    attrs = node.attrs
    if hasattr(attrs, "put"):
        attrs.put(attributes)
    else:
        for key in list(attrs.keys()):
            if key not in attributes:
                del attrs[key]
        attrs.update(attributes)
    return SavedAttributes(_attributes(node), node)


def parse_attributes(text: str) -> dict[str, Any]:
    """Validate the raw JSON an editor holds: it must be a JSON object."""
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("attributes must be a JSON object ({…})")
    return value
