"""End to end: `python -m app` on the demo under Xvfb draws the tree, metadata and a slice.

The app is started in a subprocess on a virtual X display (xvfb-run) with ``--screenshot``:
it saves the window once the first slice and its metadata are shown, then quits. The PNG
must not be blank. ``ZARRSCOPE_UPDATE_SCREENSHOTS=1`` also copies it to
docs/screenshot-main.png (how the committed screenshot is refreshed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.e2e, pytest.mark.gui, pytest.mark.slow]


def _pixels(path: Path) -> np.ndarray:
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB888)
    assert not image.isNull(), f"{path} is not a readable image"
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    buffer = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * height)
    return buffer.reshape(height, stride)[:, : width * 3].reshape(height, width, 3).copy()


def test_app_on_the_demo_shows_tree_metadata_and_a_slice(
    qapp: object, tmp_path: Path, demo_hierarchy: Path
) -> None:
    xvfb_run = shutil.which("xvfb-run")
    assert xvfb_run, "xvfb-run is needed for the end-to-end test (Debian package xvfb)"
    shot = tmp_path / "main.png"
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)  # a real (virtual) X display, not offscreen
    env["ZARRSCOPE_DEMO_DIR"] = str(demo_hierarchy.parent)  # already written: not regenerated
    env["ZARRSCOPE_SETTINGS_DIR"] = str(tmp_path / "settings")
    command = [
        xvfb_run, "-a", "-s", "-screen 0 1600x1000x24",
        sys.executable, "-m", "app", "--screenshot", str(shot), "--size", "1400x860",
    ]  # fmt: skip
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    pixels = _pixels(shot)
    assert pixels.shape[:2] == (860, 1400)
    assert pixels.std() > 20, "the screenshot looks blank"
    # The slice area (right of the docks) holds an image with real contrast, not one colour.
    viewer = pixels[150:700, 600:1200].astype(np.float32)
    assert viewer.std() > 10 and len(np.unique(viewer[..., 0])) > 50
    if os.environ.get("ZARRSCOPE_UPDATE_SCREENSHOTS") == "1":
        shutil.copyfile(shot, ROOT / "docs" / "screenshot-main.png")
