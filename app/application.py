"""Application assembly: QApplication (Fusion), settings, worker bridge, cache, main window.

Settings live in QSettings (organisation/application "Zarrscope"); setting the environment
variable ``ZARRSCOPE_SETTINGS_DIR`` keeps them in an INI file under that folder instead (tests
use it). Keys: ``window/geometry``, ``window/state``, ``recent`` (redacted URLs only),
``cache/max_mb`` (decoded-chunk cache budget, default 512).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pyqtgraph.util.garbage_collector import GarbageCollector
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from app.models.chunk_cache import ChunkCache
from app.qt.main_window import MainWindow
from app.workers import WorkerBridge

DEFAULT_CACHE_MB = 512
ORGANIZATION = "Zarrscope"
APPLICATION = "Zarrscope"


def make_settings() -> QSettings:
    folder = os.environ.get("ZARRSCOPE_SETTINGS_DIR")
    if folder:
        path = Path(folder) / "zarrscope.ini"
        return QSettings(str(path), QSettings.Format.IniFormat)
    return QSettings(ORGANIZATION, APPLICATION)


def cache_budget_bytes(settings: QSettings) -> int:
    value = settings.value("cache/max_mb", DEFAULT_CACHE_MB)
    try:
        megabytes = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        megabytes = DEFAULT_CACHE_MB
    return int(max(megabytes, 0) * 1024 * 1024)


#: how often (s) Python lets another thread take the GIL; the default 5 ms lets a busy decode
#: worker delay the UI thread by several intervals in a row
GIL_SWITCH_INTERVAL_S = 0.001

#: keeps the GUI-thread garbage collector (and its timer) alive for the application's life
_GC_GUARD: list[GarbageCollector] = []


def make_qapplication(argv: Sequence[str] | None = None) -> QApplication:
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setStyle("Fusion")
    # Cyclic garbage is collected on a timer in the GUI thread only: a collection that happens
    # to run in a worker thread may destroy Qt objects there, which can deadlock or crash.
    _GC_GUARD.append(GarbageCollector(interval=1.0))
    return app


def build_main_window(settings: QSettings | None = None) -> MainWindow:
    settings = settings or make_settings()
    bridge = WorkerBridge(workers=4)
    cache = ChunkCache(cache_budget_bytes(settings))
    window = MainWindow(bridge, cache, settings)
    bridge.setParent(window)
    # issue 7: connect dialog, consolidation, stale banner, chunk map (app/qt/inspect_tools.py)
    from app.qt.inspect_tools import default_profile_store, install_inspect_tools

    window.inspect_tools = install_inspect_tools(window, profiles=default_profile_store())
    window.resize(1400, 860)
    window.restore_layout()
    return window


def schedule_screenshot(window: MainWindow, path: Path, app: QApplication) -> None:
    """Grab the window once the first slice and its metadata are shown, save, quit."""
    state = {"frame": False, "info": False, "done": False}

    def grab() -> None:
        if state["done"]:
            return
        state["done"] = True
        path.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(path), "PNG")
        app.quit()

    def check() -> None:
        if state["frame"] and state["info"] and not window.bridge.pending:
            # Let the last paint settle: one more turn of the event loop after idle.
            QTimer.singleShot(250, grab)

    def on_frame(_frame: object) -> None:
        state["frame"] = True
        check()

    def on_info(_path: str) -> None:
        state["info"] = True
        check()

    def watch_viewer() -> None:
        viewer = window.current_viewer()
        if viewer is not None:
            viewer.frame_drawn.connect(on_frame)

    watch_viewer()
    window.tabs.currentChanged.connect(lambda _i: watch_viewer())
    window.metadata_panel.info_shown.connect(on_info)
    window.bridge.idle.connect(check)
    # A hard limit so a broken store never leaves a headless run hanging.
    QTimer.singleShot(60_000, grab)
