"""What "Test connection" says for each kind of root it can find."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import zarr

import zarrcore
from app.models.connection import LocalConnection
from app.models.consolidation import scan_hierarchy, write_consolidated
from app.models.probe import describe_store, group_digits, probe_connection
from zarrcore.store.memory import MemoryStore


def test_v2_group_without_consolidated_metadata_counts_root_members(tmp_path: Path) -> None:
    root = zarr.open_group(str(tmp_path / "g.zarr"), mode="w")
    root.create_group("a")
    root.create_dataset("b", data=np.arange(3))
    result = probe_connection(LocalConnection(path=str(tmp_path / "g.zarr")))
    assert result.ok
    assert result.message == "zarr v2 group, not consolidated, 2 members at the root"


def test_v3_consolidated_group_and_array(tmp_path: Path) -> None:
    url = str(tmp_path / "v3.zarr")
    root = zarrcore.open_group(url, mode="w", zarr_format=3)
    for i in range(3):
        root.create_array(f"a{i}", shape=(4,), chunks=(2,), dtype="u1")
    store = zarrcore.open_store(url, mode="a")
    write_consolidated(store, scan_hierarchy(store))
    assert zarrcore.check_consolidated(store).up_to_date
    assert describe_store(store).message == "zarr v3 group, consolidated, 3 arrays"
    array_store = zarrcore.open_store(str(tmp_path / "v3.zarr" / "a0"))
    assert describe_store(array_store).message == "zarr v3 array"


@pytest.mark.filterwarnings("ignore:The N5Store is deprecated:FutureWarning")  # zarr#1274
def test_n5_container(tmp_path: Path) -> None:
    zarr.open_group(zarr.N5Store(str(tmp_path / "c.n5")), mode="w").create_group("x")
    result = probe_connection(LocalConnection(path=str(tmp_path / "c.n5")))
    assert result.ok
    assert result.message == "N5 group, not consolidated, 1 member at the root"


def test_empty_store() -> None:
    assert describe_store(MemoryStore()).message == "connected; the store is empty at this location"


def test_group_digits_uses_thin_spaces() -> None:
    assert group_digits(1204) == "1\u202f204"
    assert group_digits(12) == "12"
