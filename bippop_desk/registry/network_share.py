"""Is a folder on a network share? A registry must not live on one.

SQLite's locking relies on the operating system's file locks, which SMB/CIFS and NFS
implement unreliably (SQLite's FAQ and "How To Corrupt An SQLite Database File" §2.1):
two computers opening the same registry there can each believe they are alone and lose
each other's changes. The registry is refused on a share with a French message; its
backups may go anywhere.

Linux: the file system type of the mount the folder is on (/proc/self/mountinfo).
Windows: a mapped network drive or a UNC path (GetDriveTypeW). Elsewhere (macOS) nothing
is detected: the README says the registry belongs on the computer's own disk.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# File systems whose locks SQLite cannot trust (kernel and FUSE names).
NETWORK_TYPES = frozenset(
    {
        "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "9p", "vboxsf", "ceph",
        "glusterfs", "lustre", "gpfs", "beegfs", "davfs", "fuse.sshfs", "fuse.rclone",
        "fuse.davfs2", "fuse.s3fs", "fuse.glusterfs", "fuse.cephfs", "fuse.gvfsd-fuse",
    }
)  # fmt: skip
MOUNTINFO = Path("/proc/self/mountinfo")
_DRIVE_REMOTE = 4


def _unescape(field: str) -> str:
    # mountinfo writes spaces, tabs, newlines and backslashes as \040 \011 \012 \134.
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def mount_type(folder: Path, mountinfo: Path = MOUNTINFO) -> str:
    """The file system type of the mount `folder` is on ("" when unknown)."""
    try:
        lines = mountinfo.read_text("utf-8", "replace").splitlines()
    except OSError:
        return ""
    target = str(folder)
    best, kind = "", ""
    for line in lines:
        fields, _, after = line.partition(" - ")
        parts = fields.split()
        if len(parts) < 5 or not after:
            continue
        point = _unescape(parts[4])
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, after.split()[0]
    return kind


def network_share(path: Path, mountinfo: Path | None = None) -> str:
    """The kind of network share `path` (a file, maybe not yet made) is on, or ""."""
    mountinfo = mountinfo or MOUNTINFO
    folder = path.parent.resolve() if not path.is_dir() else path.resolve()
    if sys.platform == "win32":
        return _windows_share(folder)
    if not mountinfo.exists():
        return ""
    kind = mount_type(folder, mountinfo)
    return kind if kind in NETWORK_TYPES else ""


def _windows_share(folder: Path) -> str:
    text = str(folder)
    if text.startswith(("\\\\", "//")):
        return "partage Windows"
    import ctypes

    drive = os.path.splitdrive(text)[0] + "\\"
    windll = getattr(ctypes, "windll", None)
    if windll is not None and windll.kernel32.GetDriveTypeW(drive) == _DRIVE_REMOTE:
        return "lecteur réseau"
    return ""


def share_message(path: Path, kind: str) -> str:
    return (
        f"Le registre « {path} » est sur un partage réseau ({kind}) : SQLite n'y verrouille "
        "pas le fichier de façon sûre, et deux postes pourraient y perdre des "
        "enregistrements. Placez le registre sur le disque de cet ordinateur "
        "(chaque poste a son registre et se synchronise avec la plateforme)."
    )
