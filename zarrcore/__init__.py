"""zarrcore: an embedded zarr v2/v3 and N5 engine (numpy + numcodecs, no Qt).

Public API (see ARCHITECTURE.md)::

    node  = zarrcore.open(url_or_path_or_store, mode="r")
    group = zarrcore.open_group(url, mode="a")
    arr   = zarrcore.open_array(url, mode="r")
    group = zarrcore.open_consolidated(url)
    group = zarrcore.consolidate_metadata(url)
    report = zarrcore.check_consolidated(url)
    store = zarrcore.open_store(url, **options)
"""

from zarrcore.api import (
    check_consolidated,
    consolidate_metadata,
    open,
    open_array,
    open_consolidated,
    open_group,
)
from zarrcore.array import Array, ChunkInfo
from zarrcore.attrs import Attributes
from zarrcore.consolidate import ConsolidationReport
from zarrcore.errors import ZarrcoreError
from zarrcore.group import Group
from zarrcore.store.base import Store
from zarrcore.url import open_store

__all__ = [
    "Array",
    "Attributes",
    "ChunkInfo",
    "ConsolidationReport",
    "Group",
    "Store",
    "ZarrcoreError",
    "check_consolidated",
    "consolidate_metadata",
    "open",
    "open_array",
    "open_consolidated",
    "open_group",
    "open_store",
]
__version__ = "0.1.0"
