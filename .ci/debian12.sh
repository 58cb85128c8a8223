#!/usr/bin/env bash
# The README's two commands on a fresh minimal Debian 12, as a new user would run them:
#   1. a minimal Debian 12 root (debootstrap --variant=minbase, plus the README's
#      prerequisites make python3 python3-venv, and git to clone), built once per machine
#      and kept under $CACHE; each run works on a throw-away overlay of it;
#   2. this commit cloned into /root/bippop, `make test` run there as root;
#   3. cloned again into /home/ci/bippop, `make run` as the user `ci` on a virtual X
#      screen (Xvfb, installed by step 2's `make test`) until its first window is painted
#      and settled; the screenshot is saved under $CACHE/screenshots and ./ci-artifacts.
# Needs root on the host (debootstrap, chroot, mounts) and debootstrap itself
# (installer/debian-deps.sh ci). Reused between runs: the root, the downloaded .deb and
# the pip downloads (caches only: every run installs afresh).
# Usage: bash .ci/debian12.sh ["TEST COMMAND" ["RUN COMMAND"]]  (from the clone of the
# commit to test; the defaults are the README's `make test` and `make run`)
set -euo pipefail
test_command=${1:-make test}
run_command=${2:-make run}
repo=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${BIPPOP_CI_CACHE:-/var/cache/bippop-ci}
SUITE=bookworm
MIRROR=http://deb.debian.org/debian
BASE_PACKAGES=make,python3,python3-venv,git
# The cached root is rebuilt when what it is made of changes.
base_key="$SUITE minbase $BASE_PACKAGES v1"
base=$CACHE/root-$SUITE
run_dir=$(mktemp -d "$CACHE/run.XXXXXX" 2>/dev/null || { mkdir -p "$CACHE"; mktemp -d "$CACHE/run.XXXXXX"; })
root=$run_dir/merged
mounted=()
xvfb_pid=""
app_pid=""

step_started=$(date +%s)
say() { echo "[debian12 $(($(date +%s) - step_started)) s] $*"; }

cleanup() {
  set +e
  [ -n "$app_pid" ] && kill -TERM -- "-$app_pid" 2>/dev/null
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
  # Whatever the tests left running inside this root (an office, a database server):
  # only processes whose root is this run's chroot, each by its id.
  local pid
  for pid in /proc/[0-9]*; do
    [ "$(readlink "$pid/root" 2>/dev/null)" = "$root" ] && kill -KILL "${pid#/proc/}" 2>/dev/null
  done
  sleep 0.5
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}"
  done
  # Never delete through a mount left behind (/dev, the caches): then the folder stays.
  if grep -q " $run_dir/" /proc/mounts; then
    echo "debian12: mounts left under $run_dir, not removed" >&2
  else
    rm -rf --one-file-system "$run_dir"
  fi
}
trap cleanup EXIT

mount_in() {  # mount_in TARGET MOUNT-ARGS...: remembered for the clean-up, in order
  local target=$1
  shift
  mkdir -p "$target"
  mount "$@" "$target"
  mounted+=("$target")
}

build_base() {
  say "building the minimal Debian 12 root in $base (once per machine)"
  rm -rf "$base.new"
  mkdir -p "$CACHE/debs"
  debootstrap --variant=minbase --include="$BASE_PACKAGES" --cache-dir="$CACHE/debs" \
    "$SUITE" "$base.new" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 ||
    { tail -30 "$CACHE/debootstrap.log" >&2; exit 1; }
  # What a real system has and a bare debootstrap lacks: a hosts file (localhost).
  printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$base.new/etc/hosts"
  # No services are started inside a chroot (postgresql's package would start one).
  printf '#!/bin/sh\nexit 101\n' >"$base.new/usr/sbin/policy-rc.d"
  chmod 755 "$base.new/usr/sbin/policy-rc.d"
  rm -f "$base.new/var/cache/apt/archives/"*.deb
  echo "$base_key" >"$base.new/.bippop-ci-base"
  rm -rf "$base"
  mv "$base.new" "$base"
}

exec 9>"$CACHE/root.lock"
flock 9  # two runs at once: one builds the root, the other waits for it
if [ "$(cat "$base/.bippop-ci-base" 2>/dev/null)" != "$base_key" ]; then
  build_base
else
  say "reusing the minimal Debian 12 root in $base"
fi
flock -u 9

# A throw-away copy of the root for this run: an overlay (the cached root stays as
# debootstrap left it), else a plain copy.
mkdir -p "$run_dir/upper" "$run_dir/work" "$root"
if mount -t overlay overlay -o "lowerdir=$base,upperdir=$run_dir/upper,workdir=$run_dir/work" "$root" 2>/dev/null; then
  mounted+=("$root")
else
  say "no overlayfs here: copying the root"
  cp -a "$base/." "$root/"
fi
mount_in "$root/proc" -t proc proc
mount_in "$root/sys" -t sysfs sysfs
mount_in "$root/dev" --bind /dev
mount_in "$root/dev/pts" --bind /dev/pts
mount_in "$root/dev/shm" -t tmpfs -o mode=1777 tmpfs  # PostgreSQL's shared memory
# Download caches shared between runs (apt's .deb files, pip's wheels).
mkdir -p "$CACHE/apt-archives/partial" "$CACHE/pip-root" "$CACHE/pip-ci"
mount_in "$root/var/cache/apt/archives" --bind "$CACHE/apt-archives"
# This machine's network set-up comes along, as it would on any computer of its network:
# its name servers, and the TLS authorities it trusts for pip and npm (its way out
# re-signs TLS).
cp /etc/resolv.conf "$root/etc/resolv.conf"
trusted=()
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl-host-trusted.pem"
  printf '[global]\ncert = /etc/ssl-host-trusted.pem\n' >"$root/etc/pip.conf"
  trusted=(NODE_EXTRA_CA_CERTS=/etc/ssl-host-trusted.pem)
fi

in_root() {  # in_root COMMAND...: as root in the chroot, with a clean login-like env
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb CI=true "${trusted[@]}" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

commit=$(git -C "$repo" rev-parse HEAD)
say "cloning $commit into /root/bippop"
git clone -q --no-local "$repo" "$root/root/bippop"
git -C "$root/root/bippop" checkout -q "$commit"
mount_in "$root/root/.cache/pip" --bind "$CACHE/pip-root"

say "$test_command, as root, in /root/bippop"
test_started=$(date +%s)
in_root bash -c "cd /root/bippop && $test_command"
say "$test_command passed in $(($(date +%s) - test_started)) s"

# `make run` as a normal user: its own clone, its own virtualenv; the Debian packages
# were installed by root's `make test` above (a user cannot install them).
in_root useradd --create-home --shell /bin/bash ci
git clone -q --no-local "$repo" "$root/home/ci/bippop"
git -C "$root/home/ci/bippop" checkout -q "$commit"
uid=$(in_root id -u ci)
chown -R "$uid:$uid" "$root/home/ci/bippop" "$CACHE/pip-ci"
mount_in "$root/home/ci/.cache/pip" --bind "$CACHE/pip-ci"
chown "$uid:$uid" "$root/home/ci/.cache"

display=""
for n in $(seq 71 99); do
  if [ ! -e "/tmp/.X$n-lock" ] && ! grep -q "/tmp/.X11-unix/X$n\$" /proc/net/unix; then
    display=$n
    break
  fi
done
[ -n "$display" ] || { echo "debian12: no free X display number" >&2; exit 1; }
say "$run_command, as the user ci, on the virtual screen :$display"
in_root Xvfb ":$display" -screen 0 1366x800x24 -nolisten tcp >"$run_dir/xvfb.log" 2>&1 &
xvfb_pid=$!
as_ci() {
  chroot "$root" /usr/bin/env -i HOME=/home/ci USER=ci LOGNAME=ci LANG=C.UTF-8 TERM=dumb \
    "${trusted[@]}" DISPLAY=":$display" PATH=/usr/local/bin:/usr/bin:/bin /usr/sbin/runuser -u ci -- "$@"
}
run_started=$(date +%s)
# Its own process group, so that the app and make are stopped together after the shot.
setsid chroot "$root" /usr/bin/env -i HOME=/home/ci USER=ci LOGNAME=ci LANG=C.UTF-8 \
  TERM=dumb "${trusted[@]}" DISPLAY=":$display" PATH=/usr/local/bin:/usr/bin:/bin \
  /usr/sbin/runuser -u ci -- bash -c "cd ~/bippop && exec $run_command" >"$run_dir/make-run.log" 2>&1 &
app_pid=$!
disown "$app_pid"  # stopped by the clean-up: no "Killed" notice from bash
# The user's virtualenv is ready once `make run` has installed it; then the screen.
while [ ! -e "$root/home/ci/bippop/.venv/.installed" ]; do
  kill -0 "$app_pid" 2>/dev/null || { cat "$run_dir/make-run.log" >&2; echo "debian12: $run_command stopped" >&2; exit 1; }
  [ $(($(date +%s) - run_started)) -lt 900 ] || { echo "debian12: $run_command did not install in 15 min" >&2; exit 1; }
  sleep 2
done
cp "$repo/.ci/first_window.py" "$root/tmp/first_window.py"
shot=/tmp/first-window.png
as_ci /home/ci/bippop/.venv/bin/python /tmp/first_window.py "$shot" 180
kill -0 "$app_pid" 2>/dev/null || { cat "$run_dir/make-run.log" >&2; echo "debian12: the app stopped" >&2; exit 1; }
say "$run_command showed its first window $(($(date +%s) - run_started)) s after it started (virtualenv included)"
mkdir -p "$CACHE/screenshots" "$repo/ci-artifacts"
cp "$root$shot" "$CACHE/screenshots/$commit.png"
cp "$root$shot" "$repo/ci-artifacts/first-window.png"
say "screenshot: $CACHE/screenshots/$commit.png (and ci-artifacts/first-window.png)"
tail -5 "$run_dir/make-run.log"
