"""After a backup of the database was put back (`bippop-central restored`).

A restored database has forgotten every change made after its backup point, while the
desks remember them: their cursors are past the commune's sequence (they would skip
what comes next), and the changes the platform had acknowledged are no longer queued
anywhere. A new `epoch` per commune tells each desk at its next sync (GET /status):
it then sends again what the platform may have lost (the platform answers "duplicate"
to what it still has), bases its changes on `epoch_seq` at most and reads all its
records anew (bippop_desk/sync/restore.py). docs/operations.md: the operator's step.

When the operator forgets that step, the first desk to sync tells it: its GET /status
carries the cursor it reached and the epoch it knows, and a cursor past the commune's
sequence in that same epoch means the database went back. The commune then gets its
new epoch there and then (`desk_is_ahead`), so every other desk learns of the restore
at its next sync, even once new changes have taken the sequence past its own cursor.
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


def desk_is_ahead(engine: Engine, commune_id: int, cursor: int, known_epoch: str) -> bool:
    """A desk reached `cursor` in the epoch it knows: past the commune's sequence in that
    same epoch, the database was restored without `restored`. Then a new epoch from the
    sequence as it is (the backup's), and the erasures noted outside the database done
    again. One statement, so two desks reporting at once make one new epoch. Returns
    whether this call made it."""
    if not known_epoch:
        return False  # a desk that never saw an epoch: it judges by itself
    with writing(engine) as conn:
        changed = conn.execute(
            update(commune_t)
            .where(
                commune_t.c.id == commune_id,
                commune_t.c.epoch == known_epoch,
                commune_t.c.seq < cursor,
            )
            .values(epoch=new_epoch(), epoch_seq=commune_t.c.seq)
        ).rowcount
    if not changed:
        return False
    log.warning(
        "commune %s: a desk's cursor %s is past the sequence: the database was restored "
        "without `bippop-central restored`; new epoch started", commune_id, cursor,
    )  # fmt: skip
    _reapply_erasures(engine)
    return True


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
