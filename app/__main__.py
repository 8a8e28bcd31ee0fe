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


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="zarrscope", description=__doc__.split("\n")[0])
    parser.add_argument("url", nargs="?", help="path or URL of a zarr hierarchy (default: demo)")
    parser.add_argument("--select", help="node path to select after opening")
    parser.add_argument("--screenshot", type=Path, help="save a PNG of the window, then quit")
    parser.add_argument("--size", default=None, help="window size as WIDTHxHEIGHT")
    return parser.parse_args(list(argv))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from app.application import build_main_window, make_qapplication, schedule_screenshot

    app = make_qapplication()
    window = build_main_window()
    if args.size:
        width, _, height = args.size.partition("x")
        window.resize(int(width), int(height))
    url, select = args.url, args.select
    if url is None:
        from app.demo import DEMO_SELECT, ensure_demo

        window.show_status("Preparing the demo hierarchy…")
        url = str(ensure_demo())
        select = select or DEMO_SELECT
    if args.screenshot:
        schedule_screenshot(window, args.screenshot, app)
    window.show()
    window.open_location(url, select=select)
    code = app.exec()
    window.bridge.shutdown()
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
