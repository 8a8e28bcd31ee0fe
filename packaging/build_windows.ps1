# Build Zarrscope for Windows (run in PowerShell on Windows; not exercised on the Linux CI):
#   dist\zarrscope\zarrscope.exe (one-folder bundle) and dist\zarrscope-<version>-windows.zip,
#   plus dist\zarrscope-<version>-setup.exe when Inno Setup 6 (iscc.exe) is on PATH.
# Needs Python 3.11+ (python.org installer, "py" launcher). Same spec as Linux.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")

$py = ".venv\Scripts\python.exe"
if (-not (Test-Path $py)) {
    py -3.11 -m venv .venv
    & $py -m pip install -q --upgrade pip
    & $py -m pip install -q -e ".[all]" "pyinstaller>=6.10"
}
$version = & $py -c "import importlib.metadata as m; print(m.version('zarrscope'))"

# the .ico icon, rendered from the SVG with Qt (PySide6 is installed with the app)
if (-not (Test-Path "resources\zarrscope.ico")) {
    & $py -c @"
from PySide6.QtGui import QGuiApplication, QIcon, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
app = QGuiApplication([])
renderer = QSvgRenderer('resources/zarrscope.svg')
image = QImage(256, 256, QImage.Format.Format_ARGB32)
image.fill(0)
painter = QPainter(image); renderer.render(painter); painter.end()
image.save('resources/zarrscope.ico')
"@
}

& $py -m PyInstaller --noconfirm --clean --distpath dist --workpath build\pyinstaller packaging\zarrscope.spec
Compress-Archive -Force -Path dist\zarrscope -DestinationPath "dist\zarrscope-$version-windows.zip"

if (Get-Command iscc.exe -ErrorAction SilentlyContinue) {
    iscc.exe /DAppVersion=$version packaging\zarrscope.iss
}
Write-Host "dist\zarrscope (bundle) and dist\zarrscope-$version-windows.zip"
