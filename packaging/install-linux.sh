#!/usr/bin/env bash
# Installs the PyInstaller folder on a Linux counter PC (run as root from the folder that holds dist/motcua):
# the program in /opt/motcua, `motcua` and `motcua-admin` in /usr/local/bin, the menu entry and its icon, and the
# machine-wide data folder /var/lib/motcua owned by the group `motcua` (add each account that runs MotCua:
# `usermod -aG motcua <account>`), so that the counter and the kiosk of this PC share one file. Safe to run again.
set -euo pipefail
src="${1:-dist/motcua}"
[ -x "$src/motcua" ] || { echo "Không thấy $src/motcua: hãy build bằng pyinstaller packaging/motcua.spec trước." >&2; exit 2; }
rm -rf /opt/motcua.new && cp -a "$src" /opt/motcua.new
rm -rf /opt/motcua.old && { [ -d /opt/motcua ] && mv /opt/motcua /opt/motcua.old || true; } && mv /opt/motcua.new /opt/motcua
ln -sf /opt/motcua/motcua /usr/local/bin/motcua
ln -sf /opt/motcua/motcua-admin /usr/local/bin/motcua-admin
here="$(cd "$(dirname "$0")" && pwd)"
install -Dm644 "$here/motcua.desktop" /usr/share/applications/motcua.desktop
install -Dm644 /opt/motcua/_internal/resources/icons/motcua.png /usr/share/icons/hicolor/256x256/apps/motcua.png
getent group motcua >/dev/null || groupadd --system motcua
install -d -m 2770 -g motcua /var/lib/motcua
echo "Đã cài MotCua vào /opt/motcua; dữ liệu chung của máy: /var/lib/motcua (nhóm motcua)."
