"""The issue-7 tools installed into the real main window through its hook points."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zarr

from app.application import build_main_window
from app.models.chunk_map import MISSING, STORED, ChunkMap
from app.qt.inspect_tools import InspectTools


@pytest.fixture
def tools(qtbot: Any) -> Iterator[InspectTools]:
    window = build_main_window()
    qtbot.addWidget(window)
    window.show()
    installed = window.inspect_tools  # build_main_window installs the tools
    assert isinstance(installed, InspectTools)
    yield installed
    window.bridge.shutdown()


def _stale_hierarchy(tmp_path: Path) -> str:
    url = str(tmp_path / "h.zarr")
    root = zarr.open_group(url, mode="w")
    stack = root.create_group("g").create_dataset(
        "stack", shape=(3, 32, 48), chunks=(1, 16, 16), dtype="u2", write_empty_chunks=False
    )
    stack[0, :16, :] = 7
    stack[1] = 9
    zarr.consolidate_metadata(url)
    root.create_group("added_later")
    return url


def test_stale_banner_appears_after_opening(
    qtbot: Any, tools: InspectTools, tmp_path: Path
) -> None:
    url = _stale_hierarchy(tmp_path)
    with qtbot.waitSignal(tools.window.location_opened, timeout=20_000):
        tools.window.open_location(url)
    qtbot.waitUntil(lambda: tools.stale_plan is not None, timeout=20_000)
    assert tools.stale_plan is not None and tools.stale_plan.status == "stale"
    assert not tools.banner.isHidden()
    assert "added_later/.zgroup" in tools.banner.label.text()
    assert not tools.banner.refresh_button.isHidden()


def test_menus_hold_the_actions(tools: InspectTools) -> None:
    assert tools.connect_action in tools.window.file_menu.actions()
    assert tools.consolidate_action in tools.window.tools_menu.actions()
    assert tools.overlay_action in tools.window.view_menu.actions()
    assert not tools.consolidate_action.isEnabled()


def test_chunk_map_follows_the_viewer(qtbot: Any, tools: InspectTools, tmp_path: Path) -> None:
    url = _stale_hierarchy(tmp_path)
    tools.chunk_dock.show()
    tools.overlay_action.setChecked(True)
    maps: list[ChunkMap] = []
    tools.chunk_map.chunk_map_ready.connect(maps.append)
    with qtbot.waitSignal(tools.window.location_opened, timeout=20_000):
        tools.window.open_location(url, select="g/stack")
    qtbot.waitUntil(lambda: any(m.geometry.indices[0] == 1 for m in maps), timeout=20_000)
    latest = [m for m in maps if m.geometry.indices[0] == 1][-1]
    assert (latest.geometry.n_rows, latest.geometry.n_cols) == (2, 3)
    assert latest.counts()[STORED] == 6
    viewer = tools.window.current_viewer()
    overlay = tools._overlays[id(viewer)]
    assert overlay.isVisible() and overlay.chunk_map is not None
    # the same array at index 0 has its lower half missing
    tools.chunk_map.set_array(latest_array(tools), 1, 2, (0, 0, 0))
    qtbot.waitUntil(lambda: maps[-1].geometry.indices[0] == 0, timeout=20_000)
    assert [c.state for c in maps[-1].cells] == [STORED] * 3 + [MISSING] * 3


def latest_array(tools: InspectTools) -> Any:
    return tools._slice_state["array"]


def test_group_selection_enables_consolidation(
    qtbot: Any, tools: InspectTools, tmp_path: Path
) -> None:
    url = _stale_hierarchy(tmp_path)
    with qtbot.waitSignal(tools.window.location_opened, timeout=20_000):
        tools.window.open_location(url, select="g")
    qtbot.waitUntil(
        lambda: tools.current_group is not None and tools.current_group[0] == "g",
        timeout=20_000,
    )
    assert tools.consolidate_action.isEnabled()
    dialog = tools.open_consolidate_dialog()
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=20_000)
    assert dialog.plan is not None and dialog.plan.path == "g"
    dialog.reject()


def test_connect_dialog_opens_the_location(qtbot: Any, tools: InspectTools, tmp_path: Path) -> None:
    url = str(tmp_path / "plain.zarr")
    zarr.open_group(url, mode="w").create_dataset("x", data=np.arange(4))
    dialog = tools.make_connect_dialog()
    qtbot.addWidget(dialog)
    dialog.set_url(url)
    with qtbot.waitSignal(tools.window.location_opened, timeout=20_000) as opened:
        tools.open_from_dialog(dialog)
    assert opened.args[0].url == url


@pytest.mark.redis
def test_connect_dialog_passes_credentials_as_options(qtbot: Any, tools: InspectTools) -> None:
    import zarrcore
    from zarrcore.testing.servers import PrivateRedis, require_env

    require_env("ZARRSCOPE_TEST_REDIS_URL")
    secret = "redis-pw-4242"
    with PrivateRedis(password=secret) as server:
        url = f"redis://127.0.0.1:{server.port}/0?prefix=zarr"
        group = zarrcore.open_group(url, mode="w", password=secret)
        group.create_group("inside")
        group.store.close()
        dialog = tools.make_connect_dialog()
        qtbot.addWidget(dialog)
        dialog.set_url(f"redis://:{secret}@127.0.0.1:{server.port}/0?prefix=zarr")
        with qtbot.waitSignal(tools.window.location_opened, timeout=20_000) as opened:
            tools.open_from_dialog(dialog)
        assert opened.args[0].url == url
        assert secret not in tools.window.windowTitle()
        assert secret not in tools.window.location_label.text()
        assert [n for n, _ in opened.args[0].root.members()] == ["inside"]
        opened.args[0].root.store.close()
