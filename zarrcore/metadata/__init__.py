"""Node metadata, format-independent (``base``) and per format (``v2``, ``v3``, ``n5``).

Entry points (see :mod:`zarrcore.metadata.formats` for how a format plugs in):
``read_node(store_or_source, path)``, ``read_nodes``, ``new_array_metadata(zarr_format, ...)``,
``new_group_metadata``, ``register_format``.
"""

from zarrcore.metadata.base import ArrayMetadata, ChunkCodec, GroupMetadata, NodeMetadata
from zarrcore.metadata.formats import (
    ConsolidatedSource,
    FormatHandler,
    NodeSource,
    StoreSource,
    new_array_metadata,
    new_group_metadata,
    read_node,
    read_nodes,
    register_format,
)

__all__ = [
    "ArrayMetadata",
    "ChunkCodec",
    "ConsolidatedSource",
    "FormatHandler",
    "GroupMetadata",
    "NodeMetadata",
    "NodeSource",
    "StoreSource",
    "new_array_metadata",
    "new_group_metadata",
    "read_node",
    "read_nodes",
    "register_format",
]
