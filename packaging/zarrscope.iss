; Inno Setup 6 script: a per-machine installer for the Windows bundle (packaging/build_windows.ps1
; runs it with /DAppVersion=<version> when iscc.exe is on PATH).
#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif

[Setup]
AppId={{7C7D3C52-9A3E-4C39-9F40-5A2F4B7E2D11}
AppName=Zarrscope
AppVersion={#AppVersion}
DefaultDirName={autopf}\Zarrscope
DefaultGroupName=Zarrscope
OutputDir=..\dist
OutputBaseFilename=zarrscope-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
ArchitecturesInstallIn64BitMode=x64compatible
UninstallDisplayIcon={app}\zarrscope.exe

[Files]
Source: "..\dist\zarrscope\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\Zarrscope"; Filename: "{app}\zarrscope.exe"
Name: "{autodesktop}\Zarrscope"; Filename: "{app}\zarrscope.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Run]
Filename: "{app}\zarrscope.exe"; Description: "Start Zarrscope"; Flags: nowait postinstall skipifsilent
