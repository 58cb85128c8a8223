"""After a backup of the database was put back (`bippop-central restored`).

A restored database has forgotten every change made after its backup point, while the
desks remember them: their cursors are past the commune's sequence (they would skip
what comes next), and the changes the platform had acknowledged are no longer queued
anywhere. A new `epoch` per commune tells each desk at its next sync (GET /status):
it then sends again what the platform may have lost (the platform answers "duplicate"
to what it still has), bases its changes on `epoch_seq` at most and reads all its
records anew (bippop_desk/sync/restore.py). docs/operations.md: the operator's step.
"""

from __future__ import annotations

import importlib
import logging

from sqlalchemy import Engine, select, update

from bippop_central.db import writing
from bippop_central.models import commune_t, new_epoch

log = logging.getLogger(__name__)
# The erasures remembered outside the database (issue 18) are applied again by their
# own module when it exists: a restored backup must not bring an erased person back.
ERASURES_MODULE = "bippop_central.erasures"


def mark_restored(engine: Engine) -> int:
    """A new epoch for every commune, starting at its current sequence (the backup's).
    Returns the number of communes. Run once, after the restore, before `serve`."""
    with writing(engine) as conn:
        communes = conn.execute(select(commune_t.c.id, commune_t.c.seq)).all()
        for commune_id, seq in communes:
            conn.execute(
                update(commune_t)
                .where(commune_t.c.id == commune_id)
                .values(epoch=new_epoch(), epoch_seq=int(seq))
            )
    _reapply_erasures(engine)
    return len(communes)


def _reapply_erasures(engine: Engine) -> None:
    try:
        module = importlib.import_module(ERASURES_MODULE)
    except ImportError:
        return
    for name in ("reapply", "reapply_erasures"):
        hook = getattr(module, name, None)
        if callable(hook):
            hook(engine)
            return
