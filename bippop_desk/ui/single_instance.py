"""One app per registry file on this computer.

A second start on a registry that is already open brings the first window forward
(through a local socket named after the file) instead of opening the file twice; when
the first app cannot be reached (another user's session), the second says, in French,
who has it open. Two apps on one file would not corrupt it (SQLite locks it), but two
windows on the same people confuse whoever types in them.

The lock is a `QLockFile` beside the registry: it records the holder's PID and host, so
the lock of an app that was killed or crashed is recognised as stale and taken over.
Runs on the GUI thread, before the registry is opened.
"""

from __future__ import annotations

import getpass
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

RAISE = b"premier-plan\n"
CONNECT_TIMEOUT_MS = 1500


@dataclass(frozen=True)
class Busy:
    """The registry is open in another app; `brought_forward` when its window was
    asked to come to the front."""

    brought_forward: bool
    pid: int
    host: str

    def message(self, registry: Path) -> str:
        if self.brought_forward:
            return (
                f"Le registre « {registry} » est déjà ouvert sur cet ordinateur : "
                "sa fenêtre a été mise au premier plan."
            )
        return (
            f"Le registre « {registry} » est déjà ouvert sur cet ordinateur "
            f"(Bip Pop Desk, processus {self.pid} sur {self.host or 'cet ordinateur'}), "
            "peut-être dans la session d'un autre utilisateur. Fermez-le là-bas, "
            "puis relancez Bip Pop Desk."
        )


def lock_path(registry: Path) -> Path:
    return registry.with_name(registry.name + ".ouvert")


def server_name(registry: Path) -> str:
    # Per user and per file: the socket lives in a shared folder (/tmp on Linux).
    key = hashlib.sha256(str(registry.resolve()).encode()).hexdigest()[:16]
    return f"bippop-desk-{getpass.getuser()}-{key}"


class InstanceGuard(QObject):
    """Holds the registry's lock while the app runs; `bring_forward` is emitted when a
    second start asks this app's window to come to the front."""

    bring_forward = Signal()

    def __init__(self, registry: Path) -> None:
        super().__init__()
        self.registry = registry
        self._lock = QLockFile(str(lock_path(registry)))
        # Never stolen because it is old: only when its holder is gone (PID, host).
        self._lock.setStaleLockTime(0)
        self._server: QLocalServer | None = None

    def acquire(self) -> Busy | None:
        """None when this app now holds the registry; else who does."""
        if self._lock.tryLock(0):
            self._listen()
            return None
        if self._lock.error() != QLockFile.LockError.LockFailedError:
            # The folder refuses the lock file (read-only…): opening the registry will
            # say so in its own words; one app per file cannot be promised here.
            log.warning("no instance lock for %s: %s", self.registry, self._lock.error())
            return None
        info = self._lock.getLockInfo()  # (pid, host, app), or False when unreadable
        pid, host = (int(info[0]), str(info[1])) if isinstance(info, tuple) else (0, "")
        return Busy(self._ask_to_come_forward(), pid, host)

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        self._lock.unlock()

    def _listen(self) -> None:
        name = server_name(self.registry)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(name):
            QLocalServer.removeServer(name)  # left by an app that was killed
            if not server.listen(name):
                log.warning("cannot listen on %s: %s", name, server.errorString())
                return
        server.newConnection.connect(self._on_connection)
        self._server = server

    def _on_connection(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._on_message(s))
            socket.disconnected.connect(socket.deleteLater)

    def _on_message(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).startswith(RAISE.strip()):
            self.bring_forward.emit()

    def _ask_to_come_forward(self) -> bool:
        socket = QLocalSocket()
        socket.connectToServer(server_name(self.registry))
        if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
            return False
        socket.write(RAISE)
        sent = socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
        socket.disconnectFromServer()
        return sent
