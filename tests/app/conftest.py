"""Qt tests run offscreen unless a display is chosen explicitly (Xvfb screenshots)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
