"""A banner above the tree when the opened hierarchy's consolidated metadata is stale.

The main window runs ``app.models.consolidation.scan_hierarchy`` in a worker after opening a
hierarchy through consolidated metadata, then calls ``banner.show_plan(plan, writable)``.
The banner hides itself for an up-to-date plan. Refresh emits ``refresh_requested`` (the
window then opens ConsolidateDialog or writes the plan); Ignore hides it for this session.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.models.consolidation import ConsolidationPlan


def stale_message(plan: ConsolidationPlan) -> str:
    """One line for the banner, naming up to three differing entries."""
    n = len(plan.differences)
    names = ", ".join(d.key for d in plan.differences[:3])
    more = f" and {n - 3} more" if n > 3 else ""
    return (
        f"The consolidated metadata is stale: {n} entr{'y differs' if n == 1 else 'ies differ'} "
        f"from the store ({names}{more}). What you see may be out of date."
    )


class StaleBanner(QFrame):
    refresh_requested = Signal()
    ignored = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stale_banner")
        self.setStyleSheet(
            "#stale_banner { background: #fff4ce; border: 1px solid #e0c060; border-radius: 4px; }"
            "#stale_banner QLabel { color: #4d3b00; }"
        )
        self.label = QLabel("")
        self.label.setWordWrap(True)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Consolidate the metadata again from the store")
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.ignore_button = QPushButton("Ignore")
        self.ignore_button.clicked.connect(self._ignore)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.refresh_button)
        layout.addWidget(self.ignore_button)
        self.hide()

    def show_plan(self, plan: ConsolidationPlan, *, writable: bool) -> None:
        if plan.status != "stale":
            self.hide()
            return
        text = stale_message(plan)
        if not writable:
            text += " The store is read-only, so it cannot be refreshed here."
        self.label.setText(text)
        self.refresh_button.setVisible(writable)
        self.show()

    def _ignore(self) -> None:
        self.hide()
        self.ignored.emit()
