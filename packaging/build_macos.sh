#!/usr/bin/env bash
# Build Zarrscope for macOS (run on a Mac; not exercised on the Linux CI):
#   dist/Zarrscope.app  and  dist/Zarrscope-<version>-macos-<arch>.dmg
# Needs Python 3.11+ from python.org or Homebrew. Same spec as Linux (packaging/zarrscope.spec).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
if [ ! -x "$PY" ]; then
    python3 -m venv .venv
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e '.[all]' 'pyinstaller>=6.10'
fi
VERSION=$("$PY" -c "import importlib.metadata as m; print(m.version('zarrscope'))")
ARCH=$(uname -m)

# the .icns icon, made from the SVG with the macOS tools (qlmanage renders SVG)
if [ ! -f resources/zarrscope.icns ]; then
    ICONSET=build/zarrscope.iconset
    rm -rf "$ICONSET"; mkdir -p "$ICONSET"
    qlmanage -t -s 1024 -o build resources/zarrscope.svg >/dev/null
    for size in 16 32 128 256 512; do
        sips -z $size $size build/zarrscope.svg.png --out "$ICONSET/icon_${size}x${size}.png" >/dev/null
        sips -z $((size * 2)) $((size * 2)) build/zarrscope.svg.png \
            --out "$ICONSET/icon_${size}x${size}@2x.png" >/dev/null
    done
    iconutil -c icns "$ICONSET" -o resources/zarrscope.icns
fi

"$PY" -m PyInstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller \
    packaging/zarrscope.spec
# ad-hoc signature so Gatekeeper lets a locally built app start (use a Developer ID to ship)
codesign --force --deep --sign - dist/Zarrscope.app
hdiutil create -volname Zarrscope -srcfolder dist/Zarrscope.app -ov -format UDZO \
    "dist/Zarrscope-$VERSION-macos-$ARCH.dmg"
echo "dist/Zarrscope.app and dist/Zarrscope-$VERSION-macos-$ARCH.dmg"
