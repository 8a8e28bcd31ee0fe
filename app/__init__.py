"""Zarrscope desktop application (PySide6 + pyqtgraph) on top of zarrcore."""
