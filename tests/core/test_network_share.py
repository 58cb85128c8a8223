"""A registry on a network share (NFS, SMB…) is refused: SQLite's locks are not
reliable there. The mounts are read from /proc/self/mountinfo; a copy of that file with
a network mount added stands in for a share this machine cannot mount."""

from __future__ import annotations

from pathlib import Path

import pytest

from bippop_desk.registry import network_share as shares
from bippop_desk.registry.sqlite_file import RegistryFileError, check_registry_file


def mountinfo_with(tmp_path: Path, point: Path, kind: str, source: str) -> Path:
    real = Path("/proc/self/mountinfo").read_text()
    escaped = str(point).replace(" ", "\\040")
    line = f"999 27 0:99 / {escaped} rw,relatime shared:1 - {kind} {source} rw,vers=4.2\n"
    fake = tmp_path / "mountinfo"
    fake.write_text(real + line)
    return fake


def test_the_test_folder_is_on_a_local_disk() -> None:
    assert shares.network_share(Path.cwd() / "registre.sqlite3") == ""


@pytest.mark.parametrize(
    ("kind", "source"),
    [("nfs4", "nas:/mairie"), ("cifs", "//serveur/partage"), ("fuse.sshfs", "moi@nas:")],
)
def test_a_folder_on_a_network_mount_is_seen_as_a_share(
    tmp_path: Path, kind: str, source: str
) -> None:
    share = tmp_path / "partage mairie"
    share.mkdir()
    info = mountinfo_with(tmp_path, share, kind, source)
    assert shares.network_share(share / "registre.sqlite3", info) == kind
    assert shares.network_share(tmp_path / "registre.sqlite3", info) == ""  # beside it


def test_a_registry_on_a_share_is_refused_in_french_and_not_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    share = tmp_path / "nas"
    share.mkdir()
    # The one point stood in for: which mount table is read.
    monkeypatch.setattr(shares, "MOUNTINFO", mountinfo_with(tmp_path, share, "nfs", "nas:/"))
    target = share / "registre.sqlite3"
    with pytest.raises(RegistryFileError, match="partage réseau \\(nfs\\)"):
        check_registry_file(target, create=True)
    assert not target.exists()
