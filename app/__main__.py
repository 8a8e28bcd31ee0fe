"""``python -m app [URL]``: start Zarrscope, on the demo hierarchy when no URL is given.

Options: ``--select PATH`` selects a node once listed (the demo selects its OME image);
``--screenshot FILE`` saves a PNG of the window once the first slice is drawn, then quits
(used by the end-to-end test and to refresh docs/screenshot-main.png); ``--size WxH``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="zarrscope", description=__doc__.split("\n")[0])
    parser.add_argument("url", nargs="?", help="path or URL of a zarr hierarchy (default: demo)")
    parser.add_argument("--select", help="node path to select after opening")
    parser.add_argument("--screenshot", type=Path, help="save a PNG of the window, then quit")
    parser.add_argument("--size", default=None, help="window size as WIDTHxHEIGHT")
    return parser.parse_args(list(argv))


def open_demo(window: Any, select: str | None) -> None:
    """Write the demo hierarchy in a worker if needed (first run), then open it."""
    from app.demo import DEMO_SELECT, ensure_demo
    from app.models.requests import Response

    window.show_status("Preparing the demo hierarchy (first run only)…")

    def opened(response: Response) -> None:
        if response.error is not None:
            window.show_status(f"Could not write the demo hierarchy: {response.error}")
            return
        window.open_location(str(response.result), select=select or DEMO_SELECT)

    window.bridge.submit(window.bridge.next_id(), lambda token: ensure_demo(), opened)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from app.application import build_main_window, make_qapplication, schedule_screenshot

    app = make_qapplication()
    window = build_main_window()
    if args.size:
        width, _, height = args.size.partition("x")
        window.resize(int(width), int(height))
    if args.screenshot:
        schedule_screenshot(window, args.screenshot, app)
    window.show()
    if args.url is not None:
        window.open_location(args.url, select=args.select)
    else:
        open_demo(window, args.select)
    code = app.exec()
    window.bridge.shutdown()
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
