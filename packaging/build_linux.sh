#!/usr/bin/env bash
# Build the Linux desktop packages of Zarrscope (`make package`):
#   dist/zarrscope/                                 one-folder PyInstaller bundle
#   dist/zarrscope-<version>-linux-<machine>.tar.gz the bundle, to unpack anywhere
#   dist/zarrscope_<version>_<arch>.deb             installs /opt/zarrscope, /usr/bin/zarrscope,
#                                                   a menu entry and an icon
# Environment: PY (python with the app and PyInstaller installed, default .venv/bin/python),
# CLEAN=0 keeps PyInstaller's analysis cache between builds, SKIP_BUNDLE=1 reuses an existing dist/zarrscope (to re-pack without rebuilding).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PY:-$ROOT/.venv/bin/python}
DIST=$ROOT/dist
WORK=$ROOT/build/packaging

if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
    echo "PyInstaller is missing: $PY -m pip install 'pyinstaller>=6.10'" >&2
    exit 1
fi
command -v dpkg-deb >/dev/null || { echo "dpkg-deb is missing (apt-get install dpkg)" >&2; exit 1; }

VERSION=$("$PY" -c "import importlib.metadata as m; print(m.version('zarrscope'))")
ARCH=$(dpkg --print-architecture)
MACHINE=$(uname -m)
echo "== Zarrscope $VERSION ($ARCH)"

if [ "${SKIP_BUNDLE:-0}" != "1" ] || [ ! -x "$DIST/zarrscope/zarrscope" ]; then
    echo "== PyInstaller bundle"
    rm -rf "$DIST/zarrscope"
    CLEAN_FLAG=()
    [ "${CLEAN:-1}" = "1" ] && CLEAN_FLAG=(--clean)
    "$PY" -m PyInstaller --noconfirm "${CLEAN_FLAG[@]}" --log-level WARN \
        --distpath "$DIST" --workpath "$WORK/pyinstaller" packaging/zarrscope.spec
fi
BUNDLE=$DIST/zarrscope
test -x "$BUNDLE/zarrscope"

echo "== tar.gz"
TARBALL=$DIST/zarrscope-$VERSION-linux-$MACHINE.tar.gz
tar -C "$DIST" -czf "$TARBALL" zarrscope

echo "== deb"
STAGE=$WORK/deb/zarrscope_${VERSION}_$ARCH
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
    "$STAGE/usr/share/icons/hicolor/scalable/apps" "$STAGE/usr/share/doc/zarrscope"
cp -a "$BUNDLE" "$STAGE/opt/zarrscope"
ln -s /opt/zarrscope/zarrscope "$STAGE/usr/bin/zarrscope"
install -m 644 resources/zarrscope.desktop "$STAGE/usr/share/applications/zarrscope.desktop"
install -m 644 resources/zarrscope.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/zarrscope.svg"
cat > "$STAGE/usr/share/doc/zarrscope/copyright" <<EOF
Zarrscope $VERSION
License: MIT
EOF
INSTALLED_KB=$(du -sk "$STAGE" | cut -f1)
# Qt's xcb platform plugin needs these X11/GL libraries from the system
cat > "$STAGE/DEBIAN/control" <<EOF
Package: zarrscope
Version: $VERSION
Section: science
Priority: optional
Architecture: $ARCH
Installed-Size: $INSTALLED_KB
Depends: libc6, libgl1, libegl1, libfontconfig1, libfreetype6, libxkbcommon0, libxkbcommon-x11-0, libxcb-cursor0, libxcb-icccm4, libxcb-image0, libxcb-keysyms1, libxcb-randr0, libxcb-render-util0, libxcb-shape0, libxcb-xinerama0, libxcb-xkb1, libdbus-1-3
Maintainer: Zarrscope developers <zarrscope@localhost>
Description: Desktop browser for zarr hierarchies
 Browse, inspect and fix zarr v2/v3 and N5 hierarchies on local disks, zip and
 SQLite files, Redis, MongoDB, S3 and Azure: a lazy tree, metadata, 2-D slices
 of N-D arrays, chunk maps and consolidated metadata tools.
EOF
cat > "$STAGE/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q || true; fi
if command -v gtk-update-icon-cache >/dev/null 2>&1; then gtk-update-icon-cache -q /usr/share/icons/hicolor || true; fi
EOF
chmod 755 "$STAGE/DEBIAN/postinst"
DEB=$DIST/zarrscope_${VERSION}_$ARCH.deb
dpkg-deb --build --root-owner-group -Zgzip "$STAGE" "$DEB" >/dev/null

echo "== done"
du -sh "$BUNDLE" "$TARBALL" "$DEB"
