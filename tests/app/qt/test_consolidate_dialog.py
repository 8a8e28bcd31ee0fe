"""Consolidate dialog and stale banner: scan off-thread, preview, write, report, cancel."""

from __future__ import annotations

import threading
from pathlib import Path

import zarr
from pytestqt.qtbot import QtBot

from app.models.consolidation import ConsolidationPlan, ConsolidationReport, scan_hierarchy
from app.qt.dialogs.consolidate_dialog import ConsolidateDialog
from app.qt.stale_banner import StaleBanner
from zarrcore.store.base import Store
from zarrcore.store.local import DirectoryStore
from zarrcore.store.wrappers import _Wrapper


def _hierarchy(path: Path, n_groups: int = 4) -> None:
    root = zarr.open_group(str(path), mode="w")
    for g in range(n_groups):
        root.create_group(f"g{g}").create_dataset("a", shape=(4,), chunks=(2,), dtype="u1")


def _files(path: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in path.rglob("*") if p.is_file()}


def test_scan_preview_write_report(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "h.zarr"
    _hierarchy(path)
    zarr.consolidate_metadata(str(path))
    zarr.open_group(str(path), mode="a").create_group("late")
    store = DirectoryStore(path)
    dialog = _open_dialog(qtbot, store)
    plan = dialog.plan
    assert isinstance(plan, ConsolidationPlan)
    assert plan.status == "stale"
    assert "stale" in dialog.status_label.text()
    assert dialog.differences.topLevelItemCount() == 1
    assert dialog.differences.topLevelItem(0).text(0) == "late/.zgroup"
    assert dialog.write_button.isEnabled()
    with qtbot.waitSignal(dialog.consolidated, timeout=30_000) as blocker:
        dialog.write_button.click()
    report = blocker.args[0]
    assert isinstance(report, ConsolidationReport)
    assert report.after.round_trips == 1 and report.after.listings == 0
    assert "round trips" in dialog.report_label.text()
    assert scan_hierarchy(store).status == "current"
    assert zarr.open_consolidated(str(path))["late"] is not None


def _open_dialog(qtbot: QtBot, store: Store) -> ConsolidateDialog:
    """Open the dialog (the scan starts in its constructor) and wait for the preview."""
    dialog = ConsolidateDialog(store)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=30_000)
    assert dialog.plan is not None, dialog.status_label.text()
    return dialog


def test_read_only_store_cannot_write(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "h.zarr"
    _hierarchy(path)
    dialog = _open_dialog(qtbot, DirectoryStore(path, read_only=True))
    assert dialog.plan is not None and dialog.plan.status == "missing"
    assert not dialog.write_button.isEnabled()
    assert "read-only" in dialog.status_label.text()


class _GatedStore(_Wrapper):
    """Blocks listing until released, so the test can cancel mid-scan."""

    def __init__(self, inner: Store) -> None:
        super().__init__(inner)
        self.entered = threading.Event()
        self.release = threading.Event()

    def list_prefix(self, prefix: str):  # type: ignore[no-untyped-def]
        self.entered.set()
        self.release.wait(timeout=30)
        return self.inner.list_prefix(prefix)


def test_cancel_during_scan_writes_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "h.zarr"
    _hierarchy(path)
    before = _files(path)
    store = _GatedStore(DirectoryStore(path))
    dialog = ConsolidateDialog(store)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(store.entered.is_set, timeout=30_000)
    with qtbot.waitSignal(dialog.failed, timeout=30_000) as blocker:
        dialog.cancel_button.click()
        store.release.set()
    assert blocker.args[0] == "Cancelled. Nothing was written."
    assert dialog.plan is None and not dialog.write_button.isEnabled()
    assert _files(path) == before


def test_stale_banner_offers_refresh_only_when_writable(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "h.zarr"
    _hierarchy(path)
    zarr.consolidate_metadata(str(path))
    root = zarr.open_group(str(path), mode="a")
    for i in range(5):
        root.create_group(f"new{i}")
    plan = scan_hierarchy(DirectoryStore(path))
    banner = StaleBanner()
    qtbot.addWidget(banner)
    banner.show_plan(plan, writable=True)
    assert not banner.isHidden()
    assert "5 entries differ" in banner.label.text() and "2 more" in banner.label.text()
    assert not banner.refresh_button.isHidden()
    with qtbot.waitSignal(banner.refresh_requested):
        banner.refresh_button.click()
    banner.show_plan(plan, writable=False)
    assert banner.refresh_button.isHidden()
    assert "read-only" in banner.label.text()
    with qtbot.waitSignal(banner.ignored):
        banner.ignore_button.click()
    assert banner.isHidden()
    zarr.consolidate_metadata(str(path))
    banner.show_plan(scan_hierarchy(DirectoryStore(path)), writable=True)
    assert banner.isHidden()
