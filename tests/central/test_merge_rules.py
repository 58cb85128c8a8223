"""The merge rules as pure functions (bippop_central.merge), no server needed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bippop_central.merge import FORWARD, PROTECTED, TRANSITIONS, Mutation, Stored, merge
from bippop_desk.registry.services.missions import MISSION_TRANSITIONS
from bippop_desk.registry.services.requests import REQUEST_TRANSITIONS
from bippop_desk.registry.services.volunteers import VOLUNTEER_TRANSITIONS

DESK_A, DESK_B = "desk-a", "desk-b"


def edit(entity: str = "beneficiary", base: int | None = 1, op: str = "upsert",
         **fields: object) -> Mutation:  # fmt: skip
    return Mutation("m", entity, "r", op, base, list(fields), dict(fields))


def person(**fields: object) -> Stored:
    values = {"first_name": "Jean", "last_name": "Martin", "phone": "+33611111111", **fields}
    return Stored(
        "beneficiary", 1, values, {}, dict.fromkeys(values, 1), field_origins={"": DESK_A}
    )


def test_the_servers_status_tables_are_the_desks() -> None:
    assert TRANSITIONS == {"mission": MISSION_TRANSITIONS, "request": REQUEST_TRANSITIONS,
                           "volunteer": VOLUNTEER_TRANSITIONS}  # fmt: skip


def test_the_protected_fields_are_the_protocols_four_groups() -> None:
    assert {"first_name", "birth_date", "phone", "email", "consent_by", "volunteer_id",
            "starts_at", "beneficiary_id"} <= PROTECTED  # fmt: skip
    assert {"notes", "status", "preferences"}.isdisjoint(PROTECTED)


def test_a_field_changed_since_the_base_by_another_desk_is_a_conflict_when_protected() -> None:
    after_b = merge(person(), edit(phone="+33622222222"), 2, DESK_B)
    assert after_b.status == "applied" and after_b.state is not None
    late = merge(after_b.state, edit(phone="+33633333333", notes="x"), 3, DESK_A)
    assert late.status == "conflict"
    assert late.conflicts == {"phone": {"server": "+33622222222", "server_version": 2}}
    assert late.state is not None and late.state.fields["phone"] == "+33622222222"
    assert late.state.fields["notes"] == "x" and late.state.field_versions["notes"] == 3
    # The same value is no conflict; a base at or past the field's version is no conflict.
    assert merge(after_b.state, edit(phone="+33622222222"), 3, DESK_A).status == "applied"
    assert merge(after_b.state, edit(base=2, phone="+33644444444"), 3, DESK_A).status == "applied"


def test_a_null_base_has_seen_no_other_desks_value() -> None:
    """A null base: the desk never had the record from the platform. Its own earlier
    values it may overwrite (a creation sent again after a lost answer); another
    desk's protected value is news to it (a creation sent again after a restore)."""
    after_b = merge(person(), edit(phone="+33622222222", notes="b"), 2, DESK_B)
    assert after_b.state is not None
    outcome = merge(after_b.state, edit(base=None, phone="+33655555555", notes="a"), 3, DESK_A)
    assert outcome.status == "conflict" and outcome.state is not None
    assert outcome.conflicts == {"phone": {"server": "+33622222222", "server_version": 2}}
    assert outcome.state.fields["phone"] == "+33622222222"
    assert outcome.state.fields["notes"] == "a"  # unprotected: the last writer wins
    own = merge(person(), edit(base=None, phone="+33655555555"), 2, DESK_A)
    assert own.status == "applied" and own.state is not None
    assert own.state.fields["phone"] == "+33655555555"


def test_fields_not_in_changed_are_never_written_by_an_update() -> None:
    mutation = Mutation("m", "beneficiary", "r", "upsert", 1, ["notes"],
                        {"notes": "n", "phone": "+33699999999"})  # fmt: skip
    outcome = merge(person(), mutation, 2, DESK_A)
    assert outcome.state is not None and outcome.state.fields["phone"] == "+33611111111"


@pytest.mark.parametrize(
    ("entity", "current", "pushed", "kept"),
    [
        ("mission", "realisee", "planifiee", "realisee"),
        ("mission", "planifiee", "validee", "validee"),  # forward by two steps
        ("request", "planifiee", "en_recherche", "en_recherche"),  # allowed back-step
        ("request", "realisee", "nouvelle", "realisee"),
        ("volunteer", "suspendu", "valide", "valide"),
        ("volunteer", "parti", "valide", "parti"),
    ],
)
def test_statuses_move_only_along_the_desks_transitions(
    entity: str, current: str, pushed: str, kept: str
) -> None:
    stored = Stored(entity, 1, {"status": current}, {}, {"status": 1})
    outcome = merge(stored, edit(entity, status=pushed), 2, DESK_A)
    assert outcome.status == "applied" and outcome.state is not None
    assert outcome.state.fields["status"] == kept


def test_extra_keys_are_written_last_writer_wins() -> None:
    stored = Stored("volunteer", 1, {"first_name": "A"}, {"mission_type_ids": ["x"]}, {})
    mutation = Mutation("m", "volunteer", "r", "upsert", 0, [], {}, {"mission_type_ids": ["y"]})
    outcome = merge(stored, mutation, 2, DESK_B)
    assert outcome.state is not None and outcome.state.extra == {"mission_type_ids": ["y"]}


def test_an_erased_record_takes_no_more_upserts_and_erase_replaces_everything() -> None:
    erased = merge(person(notes="secret"), edit(op="erase", first_name="X", last_name="X"), 2)
    assert erased.state is not None and erased.state.erased and erased.state.deleted
    assert "secret" not in repr(erased.state) and "+33611111111" not in repr(erased.state)
    assert merge(erased.state, edit(phone="+33611111111"), 3).status == "rejected"


FIELDS = ["phone", "last_name", "notes", "preferences"]
STATUSES = list(TRANSITIONS["mission"])


@st.composite
def edit_sequences(draw: st.DrawFn) -> list[tuple[str, str, dict[str, object], int | None]]:
    steps = []
    for _ in range(draw(st.integers(1, 12))):
        device = draw(st.sampled_from([DESK_A, DESK_B]))
        kind = draw(st.sampled_from(["upsert", "upsert", "delete"]))
        names = draw(st.lists(st.sampled_from([*FIELDS, "status"]), min_size=1, unique=True))
        values: dict[str, object] = {
            name: draw(st.sampled_from(STATUSES))
            if name == "status"
            else draw(st.sampled_from("abc"))
            for name in names
        }
        base = draw(st.one_of(st.none(), st.integers(0, 14)))
        steps.append((device, kind, values, base))
    return steps


@settings(max_examples=300, deadline=None)
@given(edit_sequences())
def test_no_sequence_of_edits_breaks_the_merge_invariants(
    steps: list[tuple[str, str, dict[str, object], int | None]],
) -> None:
    state = Stored("mission", 1, {"status": "planifiee", **dict.fromkeys(FIELDS, "x")}, {},
                   dict.fromkeys([*FIELDS, "status"], 1), field_origins={"": DESK_A})  # fmt: skip
    seq = 1
    for device, kind, values, base in steps:
        before = state
        outcome = merge(before, Mutation("m", "mission", "r", kind, base, list(values), values),
                        seq + 1, device)  # fmt: skip
        assert outcome.status in ("applied", "conflict"), outcome.detail
        assert outcome.state is not None
        seq += 1
        state = outcome.state
        assert state.version == seq and max(state.field_versions.values()) <= seq
        assert state.deleted >= before.deleted  # a tombstone stays
        new_status = state.fields["status"]
        old_status = before.fields["status"]
        assert new_status == old_status or new_status in FORWARD["mission"][old_status]
        for name in FIELDS:
            if name in PROTECTED and state.fields[name] != before.fields[name]:
                # A newer change by another desk is never overwritten silently.
                mine = before.origin_of(name) == device
                assert base is None or base >= before.field_versions[name] or mine
            if name in outcome.conflicts:
                assert state.fields[name] == before.fields[name]


def test_a_late_upsert_does_not_clear_a_tombstones_date() -> None:
    deleted = merge(person(), edit(op="delete", deleted_at="2026-12-01T10:00:00"), 2, DESK_A)
    assert deleted.state is not None
    late = merge(deleted.state, edit(deleted_at=None, notes="encore"), 3, DESK_B)
    assert late.state is not None and late.state.deleted
    assert late.state.fields["deleted_at"] == "2026-12-01T10:00:00"
    assert late.state.fields["notes"] == "encore"
