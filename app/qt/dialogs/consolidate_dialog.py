"""Tools → Consolidate metadata: scan (progress, Cancel), preview, Write, report.

Usage by the main window::

    dialog = ConsolidateDialog(store, group_path, parent)
    dialog.consolidated.connect(lambda report: reopen_hierarchy())
    dialog.open()   # scanning starts at once, off the UI thread

Nothing is written until the user presses Write; Cancel during the scan leaves the store as
it was. The write goes through app.models.consolidation (atomic via zarrcore).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.models.chunk_map import CancelFlag
from app.models.consolidation import (
    ConsolidationPlan,
    ConsolidationReport,
    consolidate_with_report,
    scan_hierarchy,
)
from app.qt.background import BackgroundCall
from app.workers import emit_unless_deleted
from zarrcore.errors import CancelledError
from zarrcore.store.base import Store

CHANGE_TEXT = {
    "added": "in the store, not consolidated",
    "removed": "consolidated, gone from the store",
    "changed": "differs",
}


class _ProgressRelay(QObject):
    progress = Signal(int, int, str)


class ConsolidateDialog(QDialog):
    """Scan → preview → write → report, for the group at ``path`` of ``store``."""

    #: the scan finished: the ConsolidationPlan (for tests and the main window)
    scanned = Signal(object)
    #: consolidated metadata was written: the ConsolidationReport
    consolidated = Signal(object)
    #: scan or write failed or was cancelled: a message
    failed = Signal(str)

    def __init__(self, store: Store, path: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.path = path.strip("/")
        self.plan: ConsolidationPlan | None = None
        self.report: ConsolidationReport | None = None
        self._cancel = CancelFlag()
        self.setWindowTitle(f"Consolidate metadata — /{self.path}")
        self.setMinimumSize(620, 420)

        self.status_label = QLabel("Scanning the hierarchy…")
        self.status_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.differences = QTreeWidget()
        self.differences.setHeaderLabels(["Entry", "Change"])
        self.differences.setRootIsDecorated(False)
        self.differences.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.differences.hide()
        self.report_label = QLabel("")
        self.report_label.setWordWrap(True)
        self.report_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.buttons = QDialogButtonBox()
        self.write_button = QPushButton("Write consolidated metadata")
        self.write_button.setEnabled(False)
        self.write_button.clicked.connect(self.write)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.buttons.addButton(self.write_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)

        layout = QVBoxLayout(self)
        layout.addWidget(self.status_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.differences, 1)
        layout.addWidget(self.report_label)
        layout.addStretch(0)
        layout.addWidget(self.buttons)

        self._relay = _ProgressRelay(self)
        self._relay.progress.connect(self._on_progress)
        self._scan_call = BackgroundCall(self)
        self._scan_call.finished.connect(self._on_scanned)
        self._scan_call.failed.connect(self._on_failed)
        self._write_call = BackgroundCall(self)
        self._write_call.finished.connect(self._on_written)
        self._write_call.failed.connect(self._on_failed)
        self._busy = False
        self.start_scan()

    # -- scan -----------------------------------------------------------------------------
    def start_scan(self) -> None:
        self._busy = True
        self._cancel = CancelFlag()
        store, path, cancel, relay = self.store, self.path, self._cancel, self._relay

        def progress(done: int, total: int, phase: str) -> None:
            if not emit_unless_deleted(relay, relay.progress, done, total, phase):
                # the dialog was deleted (its window closed): nobody waits for this scan
                raise CancelledError("scan abandoned: the dialog was closed", url=store.url)

        self._scan_call.submit(
            lambda: scan_hierarchy(store, path, progress=progress, cancelled=cancel)
        )

    def is_busy(self) -> bool:
        return self._busy

    def _on_progress(self, done: int, total: int, phase: str) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.status_label.setText(f"Scanning: {phase} {done} / {total}…")
        else:
            self.status_label.setText(f"Scanning: {phase}…")

    def _on_scanned(self, _request_id: int, plan: object) -> None:
        assert isinstance(plan, ConsolidationPlan)
        self._busy = False
        self.plan = plan
        self.progress.hide()
        text = plan.summary()
        writable = not self.store.read_only and self.store.supports_writes
        if not writable:
            text += "\nThe store is read-only: nothing can be written."
        elif plan.status == "current":
            text += "\nWriting again is harmless but changes nothing."
        self.status_label.setText(text)
        self._show_differences(plan)
        self.write_button.setEnabled(writable)
        self.cancel_button.setText("Close")
        self.scanned.emit(plan)

    def _show_differences(self, plan: ConsolidationPlan) -> None:
        self.differences.clear()
        for diff in plan.differences:
            QTreeWidgetItem(self.differences, [diff.key, CHANGE_TEXT.get(diff.change, "")])
        self.differences.setVisible(bool(plan.differences))

    # -- write ----------------------------------------------------------------------------
    def write(self) -> None:
        if self.plan is None or self._busy:
            return
        self._busy = True
        self.write_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status_label.setText("Measuring, writing and measuring again…")
        store, plan = self.store, self.plan
        self._write_call.submit(lambda: consolidate_with_report(store, plan))

    def _on_written(self, _request_id: int, report: object) -> None:
        assert isinstance(report, ConsolidationReport)
        self._busy = False
        self.report = report
        self.progress.hide()
        self.differences.hide()
        self.status_label.setText("Consolidated metadata written.")
        before, after = report.before, report.after
        self.report_label.setText(
            "<table cellspacing=6>"
            "<tr><th></th><th align=right>round trips</th><th align=right>keys read</th>"
            "<th align=right>listings</th><th align=right>time</th></tr>"
            f"<tr><td>before</td><td align=right>{before.round_trips}</td>"
            f"<td align=right>{before.reads}</td><td align=right>{before.listings}</td>"
            f"<td align=right>{before.seconds * 1000:.0f} ms</td></tr>"
            f"<tr><td>after</td><td align=right>{after.round_trips}</td>"
            f"<td align=right>{after.reads}</td><td align=right>{after.listings}</td>"
            f"<td align=right>{after.seconds * 1000:.0f} ms</td></tr></table>"
            f"<p>Opening the group and listing its {after.n_nodes} nodes, measured on "
            f"this store.</p>"
        )
        self.cancel_button.setText("Close")
        self.consolidated.emit(report)

    # -- cancel / errors ------------------------------------------------------------------
    def cancel(self) -> None:
        if self._busy and self.plan is None:
            self._cancel.cancel()  # the scan stops at its next check; nothing was written
            self.status_label.setText("Cancelling…")
            return
        self.reject()

    def _on_failed(self, _request_id: int, exc: object) -> None:
        self._busy = False
        self.progress.hide()
        if isinstance(exc, CancelledError):
            message = "Cancelled. Nothing was written."
        else:
            message = f"{type(exc).__name__}: {exc}"
        self.status_label.setText(message)
        self.cancel_button.setText("Close")
        self.write_button.setEnabled(False)
        self.failed.emit(message)

    def reject(self) -> None:
        self._cancel.cancel()
        super().reject()
