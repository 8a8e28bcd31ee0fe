"""Start-up imports no store client: they load only when a store of that kind is opened.

A fresh interpreter builds and shows the main window (with the inspect tools and the connect
dialog's modules, offscreen) and reports the top-level modules it imported.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from zarrcore.testing.imports import CLIENT_MODULES, modules_imported_by


def test_app_start_up_imports_no_store_client(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        from app.application import build_main_window, make_qapplication
        import app.qt.dialogs.connect_dialog

        application = make_qapplication([])
        window = build_main_window()
        window.show()
        application.processEvents()
        window.bridge.shutdown()
        """
    )
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "ZARRSCOPE_SETTINGS_DIR": str(tmp_path / "settings"),
    }
    loaded = modules_imported_by(code, env)
    assert "PySide6" in loaded and "zarrcore" in loaded  # the window really was built
    assert not loaded & CLIENT_MODULES, sorted(loaded & CLIENT_MODULES)
