#!/usr/bin/env bash
# The one list of the Debian packages Bip Pop Desk needs, each with its reason, and the
# commands it gives that the code, the tests or CI call (tests/core/test_debian_deps.py
# checks every command called is listed here).
#
# Installs the missing ones when apt is usable (as root, or with password-less sudo).
# Otherwise it stops `make run` / `make test` with one message naming the `apt-get
# install` command to run, rather than letting an ImportError surface later. `run` also
# needs a display, and says so when there is none.
# Usage: installer/debian-deps.sh run|test|ci|list
#   run   what the app needs (make run)
#   test  run + what the tests need (make test)
#   ci    what .ci/run needs on the host machine (the tests run in a chroot)
#   list  prints the table (purpose, package, commands, reason), installs nothing
set -u
purpose=${1:-run}

table=()
# need PURPOSE PACKAGE "COMMANDS" "REASON": one line of the table. `base` packages are
# Essential in Debian (on every system, even debootstrap's minbase): listed for their
# commands, never installed.
need() { table+=("$1"$'\t'"$2"$'\t'"$3"$'\t'"$4"); }

need base util-linux "runuser setpriv" "tests run a command as another user (PostgreSQL as postgres, the packages script as nobody)"
need base bash "bash" "the tests run this script and other shell scripts"
need base dpkg "dpkg-query" "this script tells which packages are installed"

need run python3-venv "" "make creates the .venv virtualenv"
# Qt offscreen and in a real X window (see TOOLCHAIN-NOTES): the first failure without
# them is "ImportError: libGL.so.1"; xcb's message blames xcb-cursor for any of them.
need run libegl1 "" "Qt loads EGL at start-up, even offscreen"
need run libgl1 "" "Qt widgets need libGL.so.1, even offscreen"
need run libxkbcommon0 "" "Qt's keyboard handling"
need run libfontconfig1 "" "Qt finds fonts through fontconfig"
need run libfreetype6 "" "Qt draws text with FreeType"
need run libglib2.0-0 "" "Qt's event loop links GLib"
need run libdbus-1-3 "" "Qt links D-Bus (the OS keyring talks over it)"
need run libx11-6 "" "the xcb platform plugin (a real window)"
need run libxkbcommon-x11-0 "" "keyboard in a real X window"
need run libxcb-cursor0 "" "the xcb platform plugin (a real window)"
need run libxcb-icccm4 "" "the xcb platform plugin (a real window)"
need run libxcb-image0 "" "the xcb platform plugin (a real window)"
need run libxcb-keysyms1 "" "the xcb platform plugin (a real window)"
need run libxcb-render-util0 "" "the xcb platform plugin (a real window)"
need run libxcb-shape0 "" "the xcb platform plugin (a real window)"
need run libxcb-xkb1 "" "the xcb platform plugin (a real window)"
need run fonts-dejavu-core "" "a Unicode font for the window (the PDFs embed their own)"

need test binutils "objdump" "PyInstaller reads the frozen app's library dependencies with objdump (tests/installer, make installer)"
# Debian's python3 comes without its shared library, which PyInstaller bundles.
python_version=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
[ -n "$python_version" ] &&
  need test "libpython$python_version" "" "PyInstaller puts Python's shared library in the frozen app (tests/installer, make installer)"
need test libreoffice-calc-nogui "soffice libreoffice" "recomputes the hours workbook's formulas; converts a test import to .ods"
need test postgresql "initdb pg_ctl" "the server and sync tests start a throwaway PostgreSQL cluster of their own"
need test xvfb "Xvfb" "the keyboard focus test runs the app in a real X window on a virtual screen"
need test xdotool "xdotool" "that test types through the X server, as a keyboard does"
need test chromium "chromium" "the web pages' browser tests run in a real headless Chromium (tests/web)"
need test chromium-driver "chromedriver" "Selenium drives that Chromium through chromedriver (tests/web)"
need test poppler-utils "pdftotext pdftoppm" "the survey report is read back as text and drawn as PNG pages (tests/core/test_survey_reports.py)"
need test npm "npm" "make test installs axe-core from the npm registry (package-lock.json): the web pages' accessibility check"

need ci debootstrap "debootstrap" ".ci/run builds a minimal Debian 12 root to run make test and make run in"

if [ "$purpose" = list ]; then
  printf '%s\n' "${table[@]}"
  exit 0
fi
case "$purpose" in
  run) wanted="run" ;;
  test) wanted="run test" ;;
  ci) wanted="ci" ;;
  *) echo "usage: installer/debian-deps.sh run|test|ci|list" >&2; exit 2 ;;
esac
packages=()
for line in "${table[@]}"; do
  group=${line%%$'\t'*}
  rest=${line#*$'\t'}
  case " $wanted " in *" $group "*) packages+=("${rest%%$'\t'*}") ;; esac
done

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

# A package that an installed one provides counts as there (npm comes inside some
# nodejs builds, which conflict with Debian's npm package).
provided=" $(dpkg-query -W -f='${Provides}, ' 2>/dev/null | tr -s ', ' ' ' | sed 's/([^)]*)//g') "
missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)
  [ "$status" = "install ok installed" ] || case "$provided" in
    *" $package "*) ;;
    *) missing+=("$package") ;;
  esac
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
