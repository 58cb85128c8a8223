#!/usr/bin/env bash
# Installs the Debian packages Bip Pop Desk needs when they are missing and apt is usable
# (as root, or with password-less sudo). Otherwise it names what is missing and goes on:
# the Python part still installs, and the app says clearly what it lacks.
# Usage: installer/debian-deps.sh run|test
set -u
purpose=${1:-run}

# Qt offscreen and in a real X window (see TOOLCHAIN-NOTES), venv, a Unicode font.
packages=(python3-venv libegl1 libgl1 libxkbcommon0 libfontconfig1 libfreetype6 libglib2.0-0
  libdbus-1-3 libx11-6 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0
  libxcb-keysyms1 libxcb-render-util0 libxcb-shape0 libxcb-xkb1 fonts-dejavu-core)
if [ "$purpose" = test ]; then
  # LibreOffice recomputes the hours workbook's formulas; poppler renders PDFs to check them;
  # the sync tests start a throwaway PostgreSQL cluster of their own (initdb, pg_ctl).
  packages+=(libreoffice-calc-nogui poppler-utils postgresql)
fi

command -v dpkg-query >/dev/null 2>&1 || { echo "debian-deps: not a Debian system, skipped"; exit 0; }

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)
  [ "$status" = "install ok installed" ] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "debian-deps: missing Debian packages (install them as root): ${missing[*]}" >&2
  exit 0
fi
echo "debian-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >/dev/null &&
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
  { echo "debian-deps: apt-get failed for ${missing[*]}" >&2; exit 1; }
