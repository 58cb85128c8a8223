#!/usr/bin/env bash
# Installs the Debian packages Bip Pop Desk needs when they are missing and apt is usable
# (as root, or with password-less sudo). Otherwise it stops `make run` / `make test` with
# one message naming the `apt-get install` command to run, rather than letting an
# ImportError surface later. `run` also needs a display, and says so when there is none.
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

no_display() {
  # A window needs X11 or Wayland (offscreen is for tests and benches).
  if [ "$purpose" = run ] && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] &&
    [ "${QT_QPA_PLATFORM:-}" != offscreen ]; then
    echo "Bip Pop Desk ouvre une fenêtre : aucun écran ici (ni DISPLAY ni WAYLAND_DISPLAY)." >&2
    echo "Lancez « make run » depuis une session graphique (ou par ssh -X)." >&2
    return 0
  fi
  return 1
}

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "debian-deps: not a Debian system, skipped"
  no_display && exit 1
  exit 0
fi

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)
  [ "$status" = "install ok installed" ] || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  no_display && exit 1
  exit 0
fi

if [ "$(id -u)" = 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "Paquets Debian manquants pour « make $purpose ». Installez-les en root, puis relancez :" >&2
  echo "  sudo apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "debian-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >/dev/null &&
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
  { echo "debian-deps: apt-get failed for ${missing[*]}" >&2; exit 1; }
no_display && exit 1
exit 0
