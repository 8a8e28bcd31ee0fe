"""End to end for the Linux packages (``make package-test``, after ``make package``).

Unpacks the .deb into a temporary root (``dpkg-deb -x``, no root rights or system changes),
checks the layout (``/opt/zarrscope``, the ``/usr/bin/zarrscope`` command, menu entry and
icon), then launches the installed bundle under Xvfb on the demo hierarchy with
``--screenshot`` and checks the window shows the tree and a slice. The launch-to-screenshot
time is printed (recorded in docs/packaging.md).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import time
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # this process only reads PNGs

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _only(pattern: str) -> Path:
    found = sorted(DIST.glob(pattern))
    assert found, f"no dist/{pattern}: run `make package` first"
    return found[-1]


@pytest.fixture(scope="module")
def installed_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("deb-root")
    subprocess.run(["dpkg-deb", "-x", str(_only("zarrscope_*.deb")), str(root)], check=True)
    return root


def _pixels(path: Path) -> np.ndarray:
    from PySide6.QtGui import QImage

    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB888)
    assert not image.isNull(), f"{path} is not a readable image"
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    buffer = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * height)
    return buffer.reshape(height, stride)[:, : width * 3].reshape(height, width, 3).copy()


def test_deb_metadata_names_package_version_and_architecture() -> None:
    deb = _only("zarrscope_*.deb")
    fields = subprocess.run(
        ["dpkg-deb", "-f", str(deb), "Package", "Version", "Architecture", "Depends"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "Package: zarrscope" in fields
    version = deb.name.split("_")[1]
    assert f"Version: {version}" in fields
    assert "libxcb-cursor0" in fields


def test_deb_installs_under_opt_with_command_menu_entry_and_icon(installed_root: Path) -> None:
    executable = installed_root / "opt" / "zarrscope" / "zarrscope"
    assert executable.is_file() and os.access(executable, os.X_OK)
    command = installed_root / "usr" / "bin" / "zarrscope"
    assert command.is_symlink() and os.readlink(command) == "/opt/zarrscope/zarrscope"
    desktop = (installed_root / "usr/share/applications/zarrscope.desktop").read_text()
    assert "Exec=zarrscope" in desktop and "Icon=zarrscope" in desktop
    assert (installed_root / "usr/share/icons/hicolor/scalable/apps/zarrscope.svg").is_file()


def test_tarball_holds_the_same_bundle() -> None:
    with tarfile.open(_only("zarrscope-*-linux-*.tar.gz")) as archive:
        names = archive.getnames()
    assert "zarrscope/zarrscope" in names
    assert any(name.startswith("zarrscope/_internal/") for name in names)


def test_installed_bundle_shows_tree_and_slice_under_xvfb(
    installed_root: Path, tmp_path: Path
) -> None:
    xvfb_run = shutil.which("xvfb-run")
    assert xvfb_run, "xvfb-run is needed (Debian package xvfb)"
    shot = tmp_path / "bundle.png"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path / "home"),
        "ZARRSCOPE_DEMO_DIR": str(tmp_path / "demo"),
        "ZARRSCOPE_SETTINGS_DIR": str(tmp_path / "settings"),
        "LANG": "C.UTF-8",
    }
    command = [
        xvfb_run, "-a", "-s", "-screen 0 1600x1000x24",
        str(installed_root / "opt" / "zarrscope" / "zarrscope"),
        "--screenshot", str(shot), "--size", "1400x860",
    ]  # fmt: skip
    # first launch writes the demo hierarchy; the second measures a normal start
    for run in ("first", "second"):
        started = time.perf_counter()
        result = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=300, check=False
        )
        seconds = time.perf_counter() - started
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr, result.stderr
        print(f"bundle {run} launch -> screenshot: {seconds:.1f} s")
    pixels = _pixels(shot)
    assert pixels.shape[:2] == (860, 1400)
    assert pixels.std() > 20, "the screenshot looks blank"
    tree = pixels[60:300, 0:420].astype(np.float32)
    assert tree.std() > 10, "the hierarchy tree looks empty"
    viewer = pixels[150:700, 600:1200].astype(np.float32)
    assert viewer.std() > 10 and len(np.unique(viewer[..., 0])) > 50, "no slice drawn"
