; Inno Setup script: one MotCua-<version>-setup.exe from the PyInstaller folder dist\motcua (build it first:
;   .venv\Scripts\pyinstaller --noconfirm packaging\motcua.spec
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DVersion=0.2.0 packaging\motcua.iss)
; Installs for all users into Program Files, makes the machine-wide data folder %ProgramData%\MotCua writable
; by the Users group (so every Windows account of the counter PC and the kiosk use one file), and adds
; Start-menu entries: the counter, the demo commune, the command prompt for IT staff, the data folder.
; Uninstalling never removes the data folder: it holds the office's dossiers.

#ifndef Version
  #define Version "0.2.0"
#endif

[Setup]
AppId={{6B1C2E4A-4D2F-4E8B-9F55-3A7C0D1E6B11}
AppName=MotCua
AppVersion={#Version}
AppVerName=MotCua {#Version}
AppPublisher=MotCua
DefaultDirName={autopf}\MotCua
DefaultGroupName=MotCua
PrivilegesRequired=admin
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\dist
OutputBaseFilename=MotCua-{#Version}-setup
SetupIconFile=..\resources\icons\motcua.ico
UninstallDisplayIcon={app}\motcua.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
DisableProgramGroupPage=yes

[Languages]
; Inno Setup ships no Vietnamese messages: put the user-contributed Vietnamese.isl (jrsoftware.org/files/istrans)
; beside this script to have the installer's own buttons in Vietnamese; our entries below are Vietnamese anyway.
#ifexist "Vietnamese.isl"
Name: "vi"; MessagesFile: "Vietnamese.isl"
#else
Name: "en"; MessagesFile: "compiler:Default.isl"
#endif

[Tasks]
Name: "desktopicon"; Description: "Tạo biểu tượng MotCua trên màn hình nền"; GroupDescription: "Biểu tượng:"

[Dirs]
; the machine-wide data folder: every account of this PC reads and writes the one database
Name: "{commonappdata}\MotCua"; Permissions: users-modify; Flags: uninsneveruninstall
Name: "{commonappdata}\MotCua\logs"; Permissions: users-modify; Flags: uninsneveruninstall

[Files]
Source: "..\dist\motcua\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\MotCua – Bộ phận Một cửa"; Filename: "{app}\motcua.exe"; Parameters: "counter"
Name: "{group}\MotCua – Dùng thử xã mẫu"; Filename: "{app}\motcua.exe"; Parameters: "demo"
Name: "{group}\MotCua – Dòng lệnh quản trị"; Filename: "{cmd}"; Parameters: "/k ""{app}\motcua-admin.exe"" --help"; WorkingDir: "{app}"
Name: "{group}\MotCua – Thư mục dữ liệu"; Filename: "{commonappdata}\MotCua"
Name: "{autodesktop}\MotCua"; Filename: "{app}\motcua.exe"; Parameters: "counter"; Tasks: desktopicon

[Run]
; first start: the set-up window opens by itself when this PC has no data yet
Filename: "{app}\motcua.exe"; Parameters: "counter"; Description: "Mở MotCua"; Flags: nowait postinstall skipifsilent
