"""The desk's sync client with the central platform (docs/sync-protocol.md). No Qt.

The app calls `bippop_desk.sync.engine`: enroll, sync_once, sync_status, conflicts
and rejected changes. Network work runs on the caller's thread (the app's sync
thread, never the GUI thread); each local write is a short transaction of its own.
"""
