"""search folding of every name (issue 10)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

The FTS5 tokenizer folds only the letters Unicode decomposes: "Œuvray", "Straßer",
"Søren", "Łukasz", "Yılmaz" could not be found by what people type, nor "D'Alembert"
by "dalembert". The search triggers now index the text folded by
`textkeys.index_names` / `index_text` (SQLite functions every registry connection
registers, see database.py), the query is folded by the same code, and every person
is re-indexed. The duplicate keys (`name_key`) are recomputed with the same folding.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bippop_desk.registry.textkeys import name_key

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

PEOPLE = (("beneficiary", "B", "birth_name"), ("volunteer", "V", None))


def _names(prefix: str, extra_name: str | None, folded: bool) -> str:
    fields = [f"{prefix}.last_name", f"{prefix}.first_name"]
    if extra_name:
        fields.append(f"{prefix}.{extra_name}")
    if folded:
        return f"bippop_index_names({', '.join(fields)})"
    return " || ' ' || ".join(fields)


def _street(prefix: str, folded: bool) -> str:
    if folded:
        return f"bippop_index_text({prefix}.address_line, {prefix}.city)"
    return f"{prefix}.address_line || ' ' || {prefix}.city"


def people_triggers(table: str, kind: str, extra_name: str | None, folded: bool) -> list[str]:
    """The three triggers keeping `search_index` right for one table (0001's shape;
    `folded` indexes the text through the textkeys functions)."""
    watched = ["last_name", "first_name", "search_phones", "address_line", "city", "deleted_at"]
    if extra_name:
        watched.append(extra_name)
    insert_doc = (
        f"INSERT INTO search_index(rowid, names, phones, street) "
        f"SELECT docid, {_names('new', extra_name, folded)}, new.search_phones, "
        f"{_street('new', folded)} "
        f"FROM search_doc WHERE record_id = new.id AND new.deleted_at IS NULL;"
    )
    return [
        f"""CREATE TRIGGER {table}_search_ai AFTER INSERT ON {table} BEGIN
            INSERT INTO search_doc(kind, record_id) VALUES ('{kind}', new.id);
            {insert_doc}
        END""",
        f"""CREATE TRIGGER {table}_search_au AFTER UPDATE OF {", ".join(watched)} ON {table}
        BEGIN
            DELETE FROM search_index
             WHERE rowid = (SELECT docid FROM search_doc WHERE record_id = old.id);
            {insert_doc}
        END""",
        f"""CREATE TRIGGER {table}_search_ad AFTER DELETE ON {table} BEGIN
            DELETE FROM search_index
             WHERE rowid = (SELECT docid FROM search_doc WHERE record_id = old.id);
            DELETE FROM search_doc WHERE record_id = old.id;
        END""",
    ]


def _rebuild(folded: bool) -> None:
    for table, kind, extra_name in PEOPLE:
        for suffix in ("ai", "au", "ad"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_search_{suffix}")
        for statement in people_triggers(table, kind, extra_name, folded):
            op.execute(statement)
    # Re-index everyone with the new text (the docids stay: search_doc is untouched).
    op.execute("DELETE FROM search_index")
    for table, _kind, extra_name in PEOPLE:
        op.execute(
            f"INSERT INTO search_index(rowid, names, phones, street) "
            f"SELECT d.docid, {_names('p', extra_name, folded)}, p.search_phones, "
            f"{_street('p', folded)} "
            f"FROM {table} AS p JOIN search_doc AS d ON d.record_id = p.id "
            f"WHERE p.deleted_at IS NULL"
        )


def _recompute_name_keys() -> None:
    conn = op.get_bind()
    for table, _kind, _extra in PEOPLE:
        rows = conn.execute(sa.text(f"SELECT id, first_name, last_name FROM {table}")).all()
        changed = [
            {"id": rid, "key": name_key(first or "", last or "")} for rid, first, last in rows
        ]
        if changed:
            # Not a change of the person: row_version and updated_at stay as they are
            # (name_key is local-only, it never travels).
            conn.execute(sa.text(f"UPDATE {table} SET name_key = :key WHERE id = :id"), changed)


def upgrade() -> None:
    _rebuild(folded=True)
    _recompute_name_keys()


def downgrade() -> None:
    _rebuild(folded=False)
