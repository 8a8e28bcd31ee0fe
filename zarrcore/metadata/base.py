"""Format-independent node metadata and the chunk codec interface.

``array.py``, ``group.py`` and ``fetch.py`` only talk to these abstract classes; each zarr
format (v2 in :mod:`zarrcore.metadata.v2`, v3 in :mod:`zarrcore.metadata.v3`) subclasses them
and registers a :class:`~zarrcore.metadata.formats.FormatHandler` so that node loading
(:func:`zarrcore.metadata.formats.read_node`) never needs to know the format.

Keys: ``chunk_key`` and ``to_documents`` return keys *relative to the node's path*; the
caller joins them with the node path (``zarrcore.metadata.formats.join_key``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from zarrcore.store.base import Store

#: a selection inside one chunk: one slice (with positive step) per axis, in chunk coordinates
ChunkSelection = tuple[slice, ...]


class ChunkCodec(ABC):
    """Turns the stored bytes of one chunk into a chunk-shaped ndarray and back.

    Implementations: :class:`zarrcore.codecs.pipeline.V2Pipeline` (filters + compressor) and
    the v3 codec chain / sharding codec (H5). A codec instance is bound to one array (it knows
    the chunk shape, dtype, order and fill value) and is safe to call from several threads.
    """

    #: the codec can read part of a chunk straight from the store (sharding): fetch.py then
    #: calls :meth:`read_region` instead of fetching the whole chunk value
    supports_partial_reads: bool = False
    #: the codec can decode part of an already fetched chunk cheaply (blosc blocks, H8):
    #: fetch.py then calls :meth:`decode_region` for chunks only partly covered by a selection
    supports_partial_decode: bool = False
    #: (item dtype, order) of the raw bytes when every stored chunk is exactly one c-blosc
    #: 1.x frame of the chunk's items (v2: blosc, no filters; v3: bytes + blosc):
    #: :mod:`zarrcore.partial_fetch` then range-reads only the blosc blocks a selection needs
    blosc_layout: tuple[np.dtype[Any], str] | None = None

    @abstractmethod
    def decode(
        self, data: bytes, *, key: str, url: str, out: np.ndarray | None = None
    ) -> np.ndarray:
        """Decode one stored chunk into a full chunk-shaped array of the array's dtype.

        ``out`` (optional) is a preallocated C-contiguous chunk-shaped buffer to decode into
        where the codec allows; the return value is the array holding the data (``out`` or a
        new array). Any failure raises :class:`~zarrcore.errors.CorruptChunkError` naming
        ``key`` and ``url`` (or :class:`~zarrcore.errors.UnsupportedCodecError`).
        """

    @abstractmethod
    def encode(self, chunk: np.ndarray) -> bytes:
        """Encode one full chunk-shaped array (any memory layout) into stored bytes."""

    def read_region(
        self,
        store: Store,
        key: str,
        chunk_selection: ChunkSelection,
        *,
        out: np.ndarray | None = None,
    ) -> np.ndarray | None:
        """Read ``chunk_selection`` of the chunk stored at ``key`` using ranged reads.

        Returns an array of the selection's shape, or ``None`` when the whole chunk is
        missing (caller fills with fill_value). With ``out`` (a writable array of the
        selection's shape, possibly a strided view of the caller's output) the codec writes
        the region there, fill value included, and returns ``out``, saving a copy. Only
        called when ``supports_partial_reads`` is true. Errors name the key and store URL.
        """
        raise NotImplementedError

    def decode_region(
        self, data: bytes, chunk_selection: ChunkSelection, *, key: str, url: str
    ) -> np.ndarray | None:
        """Decode only ``chunk_selection`` of a fetched chunk (blosc partial blocks).

        Return an array of the selection's shape, or ``None`` to let the caller fall back to
        :meth:`decode` of the whole chunk. Only called when ``supports_partial_decode``.
        """
        return None

    def configs(self) -> list[dict[str, Any]]:
        """JSON-like configs of the codecs in order of encoding, for display."""
        return []


class NodeMetadata(ABC):
    """What both arrays and groups have."""

    zarr_format: int
    #: user attributes (a plain dict; mutate through Group/Array.attrs)
    attributes: dict[str, Any]

    @property
    @abstractmethod
    def node_type(self) -> str:
        """``"array"`` or ``"group"``."""

    @abstractmethod
    def to_documents(self) -> dict[str, bytes]:
        """Metadata key(s) relative to the node path -> bytes to store.

        v2 arrays: ``{".zarray": ..., ".zattrs": ...}`` (``.zattrs`` only if attributes
        exist); v2 groups ``{".zgroup": ...}``; v3 ``{"zarr.json": ...}``.
        """

    def attribute_documents(self) -> dict[str, bytes]:
        """The document(s) to rewrite after the attributes changed (default: all)."""
        return self.to_documents()

    @classmethod
    def metadata_names(cls) -> tuple[str, ...]:
        """Names of the documents this format keeps at a node (``.zarray``, ``zarr.json``)."""
        return ()


class GroupMetadata(NodeMetadata):
    """A group: just a format and attributes."""

    @property
    def node_type(self) -> str:
        return "group"


class ArrayMetadata(NodeMetadata):
    """An array's metadata, whatever the format.

    ``chunks`` is the *storage* chunk grid (for sharded v3 arrays: the shard shape; the
    codec handles the inner chunks). ``fill_value`` is the decoded value (numpy scalar,
    Python object for ``|O``, ``None`` when the format allows "no fill" = zeros).
    """

    shape: tuple[int, ...]
    chunks: tuple[int, ...]
    dtype: np.dtype[Any]
    fill_value: Any
    order: str
    dimension_names: tuple[str | None, ...] | None

    @property
    def node_type(self) -> str:
        return "array"

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def chunk_grid_shape(self) -> tuple[int, ...]:
        """Number of chunks along each axis (0 for an empty axis)."""
        return tuple(
            -(-size // chunk) if chunk else 0
            for size, chunk in zip(self.shape, self.chunks, strict=True)
        )

    @property
    def nchunks(self) -> int:
        return int(np.prod(self.chunk_grid_shape, dtype=np.int64))

    @abstractmethod
    def chunk_key(self, coords: tuple[int, ...]) -> str:
        """Store key of the chunk at grid position ``coords``, relative to the array path."""

    def alternate_chunk_key(self, coords: tuple[int, ...]) -> str | None:
        """A second key to try when ``chunk_key`` is missing (FORMATS pitfall 6), or None."""
        return None

    def resolve_layout(self, store: Store, path: str) -> ArrayMetadata:
        """Return metadata whose chunk keys are settled, probing the store if needed.

        v2 arrays without ``dimension_separator`` (legacy NestedDirectoryStore) look at the
        store once to decide between ``0.0`` and ``0/0``. Default: ``self``.
        """
        return self

    @abstractmethod
    def codec(
        self, *, url: str | None = None, path: str = "", allow_pickle: bool = False
    ) -> ChunkCodec:
        """Build the chunk codec. Raises UnsupportedCodecError / PickleRefusedError naming
        ``url`` and the node ``path``; called lazily on first data access so that metadata
        browsing still works for unreadable arrays."""

    @property
    def read_fill(self) -> Any:
        """The value missing chunks read as (``None`` fill -> zeros; object arrays: None)."""
        if self.fill_value is None and not self.dtype.hasobject:
            return np.zeros((), dtype=self.dtype)[()]
        return self.fill_value

    @abstractmethod
    def codec_configs(self) -> list[dict[str, Any]]:
        """JSON configs of filters/compressor (v2) or the codec chain (v3), for the UI."""

    def describe(self) -> dict[str, Any]:
        """A JSON-friendly summary for the metadata panel."""
        return {
            "zarr_format": self.zarr_format,
            "node_type": "array",
            "shape": list(self.shape),
            "chunks": list(self.chunks),
            "dtype": str(self.dtype),
            "fill_value": _jsonish(self.fill_value),
            "order": self.order,
            "dimension_names": list(self.dimension_names) if self.dimension_names else None,
            "codecs": self.codec_configs(),
            "nchunks": self.nchunks,
        }


def _jsonish(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item() if not isinstance(value, np.void) else bytes(value.tobytes())
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [_jsonish(item) for item in value]
    return value
