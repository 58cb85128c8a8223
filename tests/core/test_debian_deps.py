"""`make run` / `make test` as an ordinary user with Debian packages missing: one clear
message naming the `apt-get install` command, and a stop (not an ImportError later).

The script runs for real, as an ordinary user (`nobody` through setpriv when the tests
run as root: as root it would install for real), with a fake `dpkg-query` on PATH that
reports the packages we say are missing, and a `sudo` that refuses.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "installer" / "debian-deps.sh"

FAKE_DPKG_QUERY = """#!/bin/sh
# dpkg-query -W -f='${Status}' PACKAGE
for package; do :; done
case " $FAKE_MISSING " in
  *" $package "*) exit 1 ;;
esac
printf 'install ok installed'
"""
FAKE_SUDO = "#!/bin/sh\nexit 1\n"


@pytest.fixture
def fake_bin() -> Iterator[Path]:
    # World-readable: `nobody` runs the script and these.
    folder = Path(tempfile.mkdtemp(prefix="bippop-deps-"))
    folder.chmod(0o755)
    for name, body in (("dpkg-query", FAKE_DPKG_QUERY), ("sudo", FAKE_SUDO)):
        path = folder / name
        path.write_text(body)
        path.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def run_script(
    fake_bin: Path, purpose: str, missing: str, **env: str
) -> subprocess.CompletedProcess[str]:
    as_user: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("root without setpriv: the script would install packages for real")
        as_user = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    environment = {
        "PATH": f"{fake_bin}:/usr/bin:/bin",
        "FAKE_MISSING": missing,
        "HOME": str(fake_bin),
        **env,
    }
    # A copy beside the fakes: `nobody` may not reach the project (a clone in a private
    # folder, as CI makes); the script needs nothing else of the project.
    script = fake_bin / SCRIPT.name
    shutil.copyfile(SCRIPT, script)
    script.chmod(0o755)
    return subprocess.run(
        [*as_user, "bash", str(script), purpose],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )


@pytest.mark.parametrize("purpose", ["run", "test"])
def test_missing_packages_stop_with_the_apt_get_command(fake_bin: Path, purpose: str) -> None:
    done = run_script(fake_bin, purpose, "libxcb-cursor0 libegl1", DISPLAY=":0")
    assert done.returncode != 0
    assert "sudo apt-get install --no-install-recommends libegl1 libxcb-cursor0" in done.stderr
    assert done.stderr.count("apt-get") == 1 and "Traceback" not in done.stderr


def test_the_test_set_up_asks_for_libreoffice(fake_bin: Path) -> None:
    done = run_script(fake_bin, "test", "libreoffice-calc-nogui")
    assert done.returncode != 0
    assert "apt-get install --no-install-recommends libreoffice-calc-nogui" in done.stderr


def test_nothing_missing_goes_on(fake_bin: Path) -> None:
    assert run_script(fake_bin, "test", "").returncode == 0
    assert run_script(fake_bin, "run", "", DISPLAY=":0").returncode == 0


def test_make_run_without_a_display_says_so(fake_bin: Path) -> None:
    done = run_script(fake_bin, "run", "")
    assert done.returncode != 0
    assert "aucun écran" in done.stderr
    assert run_script(fake_bin, "run", "", WAYLAND_DISPLAY="wayland-0").returncode == 0
