"""Render docs/screenshot-chunk-map.png and docs/screenshot-connect.png.

Run under Xvfb (fixed size, Fusion style, device pixel ratio 1)::

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshots_inspect.py

The chunk-map shot uses a synthetic microscopy-like slice (bright cells on a dark field of
view, zero outside it) written with zarrcore: chunks outside the field of view are never
written (missing), a few are stored but hold only zeros (fill), one is corrupt (error).
The connect shot tests a real connection: the loopback moto S3 server when
ZARRSCOPE_TEST_S3_ENDPOINT is set (source .servers/env), else a local folder.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_SCALE_FACTOR", "1")
os.environ.setdefault("QT_ENABLE_HIGHDPI_SCALING", "0")

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

import zarrcore
from app.models.chunk_map import check_fill, compute_chunk_map
from app.qt.chunk_map_widget import ChunkMapWidget
from app.qt.chunk_overlay import ChunkOverlayItem
from app.qt.dialogs.connect_dialog import ConnectDialog

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _wait(app: QApplication, condition: object, timeout_s: float = 30.0) -> None:
    import time

    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        app.processEvents()
        time.sleep(0.01)


def synthetic_stack(path: Path) -> tuple[zarrcore.Array, np.ndarray]:
    rng = np.random.default_rng(7)
    height, width = 1024, 1536
    yy, xx = np.mgrid[0:height, 0:width]
    image = np.full((height, width), 0.0)
    for _ in range(140):
        cy, cx = rng.uniform(0, height), rng.uniform(0, width)
        r = rng.uniform(8, 30)
        image += rng.uniform(800, 3000) * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r**2))
    image += rng.normal(300, 40, size=image.shape)
    fov = ((yy - height / 2) / (height * 0.55)) ** 2 + ((xx - width / 2) / (width * 0.5)) ** 2
    image[fov > 1] = 0
    # two stripes of a darker, flatter tissue compress better (varied ratios in the heat map)
    image[:, 1152:1280] = np.where(image[:, 1152:1280] > 0, 400, 0)
    data = np.clip(image, 0, 65535).astype("uint16")
    group = zarrcore.open_group(str(path), mode="w")
    array = group.create_array(
        "raw",
        shape=(3, height, width),
        chunks=(1, 128, 128),
        dtype="uint16",
        fill_value=0,
        write_empty_chunks=False,
    )
    array[0] = data
    array[1] = data // 2
    array[2] = data // 3
    # stored chunks that hold only the fill value (as zarr-python 2 writes by default)
    zeros = np.zeros((1, 128, 128), dtype="uint16")
    for coords in ((0, 0, 1), (0, 7, 10), (0, 0, 10)):
        array.store.set(array.chunk_key(coords), array.codec.encode(zeros))
    array.store.set(array.chunk_key((0, 3, 11)), b"truncated chunk")
    shown = data.copy()
    shown[384:512, 1408:1536] = 0  # the corrupt chunk cannot be shown: leave it dark
    return zarrcore.open_array(str(path / "raw")), shown


def chunk_map_shot(app: QApplication, workdir: Path) -> None:
    array, frame = synthetic_stack(workdir / "stack.zarr")
    chunk_map = check_fill(array, compute_chunk_map(array, 1, 2, (0, 0, 0)))

    window = QWidget()
    window.setWindowTitle("Zarrscope — chunk map")
    window.setStyleSheet("QWidget { font-size: 12px; }")
    outer = QVBoxLayout(window)
    codecs = " → ".join(
        f"{c.get('id')}/{c.get('cname')}" if c.get("cname") else str(c.get("id"))
        for c in chunk_map.codec_chain
    )
    title = QLabel(
        f"<b>/raw</b> &nbsp; uint16 (3, 1024, 1536), chunks (1, 128, 128), {codecs}"
        " — slice z = 0, chunk-grid overlay on"
    )
    outer.addWidget(title)
    row = QHBoxLayout()
    outer.addLayout(row, 1)

    plot = pg.PlotWidget()
    plot.setBackground("#1e1f22")
    plot.getPlotItem().invertY(True)
    plot.getPlotItem().setAspectLocked(True)
    plot.getPlotItem().hideAxis("left")
    plot.getPlotItem().hideAxis("bottom")
    image = pg.ImageItem(frame, axisOrder="row-major")
    image.setLookupTable(pg.colormap.get("magma").getLookupTable(nPts=256))
    image.setLevels((250, 1800))
    plot.addItem(image)
    plot.addItem(ChunkOverlayItem(chunk_map))
    plot.getPlotItem().getViewBox().setRange(xRange=(0, 1536), yRange=(0, 1024), padding=0.01)
    row.addWidget(plot, 6)

    panel = ChunkMapWidget()
    panel.array = array
    panel.set_chunk_map(chunk_map)
    row.addWidget(panel, 5)

    window.resize(1500, 620)
    window.show()
    app.processEvents()
    panel.grid.select(4, 6)
    _wait(app, lambda: not panel.is_busy())
    app.processEvents()
    window.grab().save(str(DOCS / "screenshot-chunk-map.png"))

    panel.mode_combo.setCurrentText("Compression ratio")
    app.processEvents()
    window.grab().save(str(workdir / "heat.png"))
    window.close()


def connect_shot(app: QApplication, workdir: Path) -> None:
    endpoint = os.environ.get("ZARRSCOPE_TEST_S3_ENDPOINT")
    metadata: dict[str, object] = {".zgroup": {"zarr_format": 2}}
    for i in range(1204):
        metadata[f"plate/well{i // 16:03d}/field{i % 16:02d}/.zgroup"] = {"zarr_format": 2}
        metadata[f"plate/well{i // 16:03d}/field{i % 16:02d}/0/.zarray"] = {"zarr_format": 2}
    zmetadata = json.dumps({"zarr_consolidated_format": 1, "metadata": metadata}).encode()
    from app.models.connection import RedisConnection, S3Connection
    from app.models.profiles import ProfileStore

    profiles = ProfileStore(workdir / "profiles.json", detect_keyring=False)
    profiles.save("lab redis", RedisConnection(host="10.0.4.12", prefix="zarr"))
    profiles.save("open data (AWS)", S3Connection(bucket="open-data", anonymous=True))
    dialog = ConnectDialog(profiles=profiles)
    if endpoint:
        import boto3

        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        )
        client.create_bucket(Bucket="imaging-lab")
        client.put_object(
            Bucket="imaging-lab", Key="screens/2024-06/.zgroup", Body=b'{"zarr_format": 2}'
        )
        client.put_object(Bucket="imaging-lab", Key="screens/2024-06/.zmetadata", Body=zmetadata)
        dialog.set_url(f"s3://imaging-lab/screens/2024-06?endpoint_url={endpoint}&region=us-east-1")
        form = dialog.current_form()
        form.editors["access_key_id"].setText("testing")  # type: ignore[attr-defined]
        form.editors["secret_access_key"].setText("testing")  # type: ignore[attr-defined]
    else:
        root = workdir / "plate.zarr"
        root.mkdir()
        (root / ".zgroup").write_text('{"zarr_format": 2}')
        (root / ".zmetadata").write_bytes(zmetadata)
        dialog.set_url(str(root))
    dialog.resize(820, 520)
    dialog.show()
    app.processEvents()
    done: list[object] = []
    dialog.probe_finished.connect(done.append)
    dialog.test_connection()
    _wait(app, lambda: bool(done))
    app.processEvents()
    dialog.grab().save(str(DOCS / "screenshot-connect.png"))
    dialog.close()


def main() -> int:
    QApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    pg.setConfigOptions(antialias=True)
    with tempfile.TemporaryDirectory() as tmp:
        chunk_map_shot(app, Path(tmp))
        connect_shot(app, Path(tmp))
        keep = os.environ.get("ZARRSCOPE_KEEP_HEAT")
        if keep:
            Path(tmp, "heat.png").replace(keep)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
