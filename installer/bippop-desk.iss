; Inno Setup script: the Windows installer of Bip Pop Desk for town-hall PCs.
;
; How to build (on Windows 10/11, 64-bit):
;   1. py -3.11 -m venv .venv && .venv\Scripts\pip install -e .[dev]
;   2. .venv\Scripts\python installer\build_resources.py      (icons, .ico, translations)
;   3. .venv\Scripts\pyinstaller installer\bippop-desk.spec --noconfirm
;        -> dist\bippop-desk\ (the one-folder app)
;   4. "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" installer\bippop-desk.iss
;        -> dist\installer\bippop-desk-<version>-setup.exe
;
; The version is read from the package itself (bippop_desk\__init__.py, `__version__`),
; so the installer never says another version than the app's "À propos". To force one:
;   ISCC.exe /DAppVersion=0.1.0 installer\bippop-desk.iss
;
; Installs per user by default (no administrator needed on a locked-down town-hall PC;
; the installer offers "for all users" when run as administrator). The registry and
; its backups live in the user's data folder (%LOCALAPPDATA%\bippop-desk), never in
; Program Files: uninstalling the program never deletes the commune's data.

#define AppName "Bip Pop Desk"
#define AppExe "bippop-desk.exe"
#define Root AddBackslash(SourcePath) + ".."

#ifndef AppVersion
  #define VersionFile Root + "\bippop_desk\__init__.py"
  #define AppVersion ""
  #define Handle
  #define Line
  #sub ReadVersionLine
    #define Line = FileRead(Handle)
    #if Pos("__version__", Line) == 1
      #define AppVersion = Copy(Line, Pos('"', Line) + 1, RPos('"', Line) - Pos('"', Line) - 1)
    #endif
  #endsub
  #for {Handle = FileOpen(VersionFile); Handle && !FileEof(Handle); ""} ReadVersionLine
  #if Handle
    #expr FileClose(Handle)
  #endif
  #if AppVersion == ""
    #error __version__ not found in bippop_desk\__init__.py
  #endif
#endif

[Setup]
; A fixed AppId: every later version upgrades this installation in place.
AppId={{6B2E8C1D-4F0A-4C39-9E57-B1F0D9A3C2E4}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=SCIC Django Mesh — Bip Pop
DefaultDirName={autopf}\Bip Pop Desk
DefaultGroupName=Bip Pop Desk
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#Root}\dist\installer
OutputBaseFilename=bippop-desk-{#AppVersion}-setup
SetupIconFile={#Root}\resources\icons\bippop-desk.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Languages]
Name: "french"; MessagesFile: "compiler:Languages\French.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
; The whole one-folder app built by PyInstaller (installer\bippop-desk.spec).
Source: "{#Root}\dist\bippop-desk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Bip Pop Desk"; Filename: "{app}\{#AppExe}"; Parameters: "run"
Name: "{group}\Désinstaller Bip Pop Desk"; Filename: "{uninstallexe}"
Name: "{autodesktop}\Bip Pop Desk"; Filename: "{app}\{#AppExe}"; Parameters: "run"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Parameters: "run"; Description: "{cm:LaunchProgram,Bip Pop Desk}"; Flags: nowait postinstall skipifsilent
