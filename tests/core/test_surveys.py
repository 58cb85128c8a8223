"""Impact surveys in the registry: the questionnaire frozen by its first answer, the
population and its sample size, the reproducible draw, the calls, the results with
their small groups hidden, and the answers leaving with the person's erasure."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from sqlalchemy import select

from bippop_desk.registry.errors import PermissionDeniedError, ValidationError
from bippop_desk.registry.models import AuditEvent, DoNotCall, OutboxEntry, SurveyAnswer
from bippop_desk.registry.services import survey_calls as calls
from bippop_desk.registry.services.erasure import erase_person
from bippop_desk.registry.services.survey_questions import Question
from bippop_desk.registry.services.survey_results import TOO_FEW, survey_results
from bippop_desk.registry.services.survey_sample import (
    add_replacements,
    draw,
    sample_plan,
    start_phone_survey,
)
from bippop_desk.registry.services.surveys import (
    FROZEN_MESSAGE,
    get_survey,
    model_input,
    new_version,
    update_survey,
)
from bippop_desk.registry.store import Registry
from tests.conftest import SECRETARY
from tests.core.register_helpers import ADMIN, COORDINATOR, add_staff
from tests.core.survey_helpers import END, START, coordinator, helped, phone_survey


def _interview(registry: Registry, contact_id: str, answers: dict[str, str | None]) -> None:
    calls.record_consent(registry, contact_id, True)
    for key, typed in answers.items():
        calls.save_answer(registry, contact_id, key, typed)
    calls.finish_interview(registry, contact_id)


FULL = {"q1": "4", "q2": "o", "q3": "2", "q4": "1 3", "q5": "5", "q6": "3,5",
        "q7": "Mme Martin vient le mardi, appelez-la au 06 12 34 56 78."}  # fmt: skip


def test_the_ready_questionnaire_is_french_and_has_every_kind() -> None:
    data = model_input(START, END)
    assert data.title == "Isolement et aide reçue"
    kinds = {q.kind for q in data.questions}
    assert kinds == {"oui_non", "echelle", "choix_unique", "choix_multiple", "nombre", "texte"}
    assert "moins seul" in data.questions[0].text
    assert data.intro.endswith("Acceptez-vous de répondre ?")


def test_the_sample_size_is_shown_before_the_survey_starts(registry: Registry) -> None:
    coordinator(registry)
    helped(registry, 350)
    survey = phone_survey(registry)
    plan = sample_plan(registry, survey)
    assert plan.text() == "184 personnes à joindre pour ± 5 % (sur 350 dans la population)"
    assert get_survey(registry, survey).status == "brouillon"  # nothing drawn yet


def test_people_who_refused_are_on_the_list_without_phone_or_gone_are_left_out(
    registry: Registry,
) -> None:
    coordinator(registry)
    keep = helped(registry, 20)
    helped(registry, 3, phone="", prefix="Muet")
    helped(registry, 2, status="decede", prefix="Parti")
    helped(registry, 4, day="2025-11-02 10:00:00", prefix="Avant")  # helped before the period
    calls.add_do_not_call(registry, keep[0], "ne veut plus être sollicitée")
    first = phone_survey(registry, title="Première")
    start_phone_survey(registry, first)
    contact = calls.call_list(registry, first)[0]
    calls.record_outcome(registry, contact.contact_id, "refus")

    plan = sample_plan(registry, phone_survey(registry, title="Seconde"))
    assert plan.population == 18
    assert plan.excluded == {"refus": 1, "ne_pas_appeler": 1, "sans_telephone": 3, "partis": 2}
    assert "1 ont refusé une enquête" in plan.exclusions_text()


def test_the_same_seed_draws_the_same_sample_whatever_the_order(registry: Registry) -> None:
    people = [(f"id-{i}", "Nord" if i % 3 else "Sud") for i in range(1_000)]
    first = draw(people, 4242, 278, stratify=True)
    again = draw(list(reversed(people)), 4242, 278, stratify=True)
    assert first == again and len(first) == 278
    assert draw(people, 4243, 278, stratify=True) != first
    # Stratified: the quartiers in proportion (667 Nord, 333 Sud of 1,000).
    assert sum(1 for _p, s in first if s == "Sud") == 93


def test_starting_the_survey_keeps_the_seed_and_draws_that_sample(registry: Registry) -> None:
    coordinator(registry)
    helped(registry, 60, "Centre")
    helped(registry, 40, "Nord")
    survey = phone_survey(registry, stratify=True)
    needed = start_phone_survey(registry, survey)
    view = get_survey(registry, survey)
    assert view.status == "en_cours" and view.seed is not None and needed == view.sample_size
    with registry.raw() as conn:
        people = conn.execute(
            "SELECT b.id, b.quartier FROM beneficiary b WHERE b.deleted_at IS NULL"
        ).fetchall()
        drawn = conn.execute(
            "SELECT beneficiary_id, stratum FROM survey_contact WHERE survey_id = ?"
            " ORDER BY draw_rank",
            (survey,),
        ).fetchall()
    assert [tuple(r) for r in drawn] == draw(people, view.seed, needed, stratify=True)
    with pytest.raises(ValidationError, match="déjà tiré"):
        start_phone_survey(registry, survey)


def test_a_frozen_questionnaire_refuses_edits_and_a_new_version_is_made(
    registry: Registry,
) -> None:
    coordinator(registry)
    helped(registry, 10)
    survey = phone_survey(registry)
    data = model_input(START, END)
    data.questions = [*data.questions, Question("", "oui_non", "Avez-vous un animal ?")]
    update_survey(registry, survey, data)  # no answer yet: editable
    assert get_survey(registry, survey).questions[-1].key == "q8"
    start_phone_survey(registry, survey)
    contact = calls.call_list(registry, survey)[0].contact_id
    calls.record_consent(registry, contact, True)
    calls.save_answer(registry, contact, "q1", "3")
    assert get_survey(registry, survey).frozen
    data.title = "Autre titre"
    with pytest.raises(ValidationError) as refused:
        update_survey(registry, survey, data)
    assert refused.value.errors == {"questions": FROZEN_MESSAGE}
    assert get_survey(registry, survey).title == "Isolement et aide reçue"
    copy = get_survey(registry, new_version(registry, survey))
    assert (copy.version, copy.previous_id, copy.status, copy.frozen) == (2, survey, "brouillon",
                                                                          False)  # fmt: skip
    update_survey(registry, copy.id, data)
    assert get_survey(registry, copy.id).title == "Autre titre"


def test_no_answer_is_retried_then_unreachable_and_a_replacement_is_drawn(
    registry: Registry,
) -> None:
    coordinator(registry)
    helped(registry, 30)
    survey = phone_survey(registry, max_attempts=2)
    needed = start_phone_survey(registry, survey)
    first = calls.call_list(registry, survey)[0].contact_id
    assert calls.record_outcome(registry, first, "pas_de_reponse") == "a_rappeler"
    assert calls.record_outcome(registry, first, "pas_de_reponse") == "injoignable"
    with pytest.raises(ValidationError, match="plus à appeler"):
        calls.record_outcome(registry, first, "pas_de_reponse")
    second = calls.call_list(registry, survey)[0].contact_id
    calls.record_outcome(registry, second, "ne_plus_appeler")
    with registry.session() as session:
        assert session.scalars(select(DoNotCall)).one().recorded_by == "Corinne Coord"
    assert add_replacements(registry, survey) == 2
    assert add_replacements(registry, survey) == 0  # each replaced once
    rows = calls.call_list(registry, survey)
    assert len(rows) == needed + 2
    assert calls.progress_of(rows, needed).text().startswith(f"0 / {needed} réponses")


def test_answers_need_the_consent_first_and_bad_answers_are_refused_in_french(
    registry: Registry,
) -> None:
    coordinator(registry)
    helped(registry, 5)
    survey = phone_survey(registry)
    start_phone_survey(registry, survey)
    contact = calls.call_list(registry, survey)[0].contact_id
    with pytest.raises(ValidationError, match="consentement"):
        calls.save_answer(registry, contact, "q1", "4")
    calls.record_consent(registry, contact, True)
    for key, typed, message in (("q1", "7", "de 1 à 5"), ("q2", "peut-être", r"O \(oui\)"),
                                ("q3", "4", "de 1 à 3"), ("q6", "beaucoup", "un nombre"),
                                ("q6", "101", "Au plus 100")):  # fmt: skip
        with pytest.raises(ValidationError, match=message):
            calls.save_answer(registry, contact, key, typed)
    calls.save_answer(registry, contact, "q1", "2")
    calls.save_answer(registry, contact, "q1", "4")  # corrected: one answer stays
    assert calls.contact_answers(registry, contact)["q1"].value_num == Decimal(4)
    with registry.session() as session:
        assert len(session.scalars(select(SurveyAnswer)).all()) == 1
        viewed = session.scalars(select(AuditEvent).where(AuditEvent.action == "consultation"))
        assert [e.user_name for e in viewed] == ["Corinne Coord"]  # who saw raw answers


def test_results_give_intervals_and_hide_small_groups_and_thin_quartiers(
    registry: Registry,
) -> None:
    coordinator(registry)
    helped(registry, 80, "Centre")
    helped(registry, 12, "Bords")
    survey = phone_survey(registry, stratify=True, target_margin=Decimal("10"))
    start_phone_survey(registry, survey)
    rows = calls.call_list(registry, survey)
    for index, row in enumerate(rows):
        answers = dict(FULL)
        answers["q2"] = "o" if index % 4 else "n"
        answers["q7"] = FULL["q7"] if index < 4 else None  # four free texts: too few
        _interview(registry, row.contact_id, answers)
    results = survey_results(registry, survey)
    assert results.respondents == len(rows) == results.asked
    assert results.response_rate == 1.0
    margin = results.margin
    assert margin is not None and margin <= 0.10
    recommend = next(q for q in results.questions if q.question.key == "q2")
    yes = recommend.shares[0]
    assert yes.label == "Oui" and yes.count == sum(1 for i in range(len(rows)) if i % 4)
    assert yes.interval.low < yes.interval.estimate < yes.interval.high
    by_group = {g.name: g for g in recommend.groups}
    assert by_group["Centre"].enough is False or by_group["Centre"].shares
    assert by_group["Bords"].enough is False and by_group["Bords"].shares == []
    scale = next(q for q in results.questions if q.question.key == "q1")
    assert scale.mean is not None and scale.mean.estimate == pytest.approx(4)
    texts = next(q for q in results.questions if q.question.key == "q7")
    assert texts.answered == 4 and texts.hidden and texts.texts == []
    assert TOO_FEW == "trop peu de réponses"


def test_free_texts_are_shown_without_names_or_phones(registry: Registry) -> None:
    coordinator(registry)
    helped(registry, 6, prefix="Ginette")
    survey = phone_survey(registry)
    start_phone_survey(registry, survey)
    for row in calls.call_list(registry, survey):
        _interview(registry, row.contact_id, {"q7": f"Je suis {row.name}, merci à Mme Martin "
                                                    "(06 12 34 56 78)"})  # fmt: skip
    texts = next(q for q in survey_results(registry, survey).questions if q.question.key == "q7")
    assert len(texts.texts) == 6
    for text in texts.texts:
        assert "Ginette" not in text and "Sans" not in text and "06 12" not in text
        assert "Mme [nom]" in text and "[téléphone]" in text


def test_erasure_removes_a_persons_answers_from_the_results(registry: Registry) -> None:
    coordinator(registry)
    helped(registry, 6)
    survey = phone_survey(registry)
    start_phone_survey(registry, survey)
    rows = calls.call_list(registry, survey)
    for row in rows:
        _interview(registry, row.contact_id, FULL)
    with registry.raw() as conn:
        person = conn.execute(
            "SELECT beneficiary_id FROM survey_contact WHERE id = ?", (rows[0].contact_id,)
        ).fetchone()[0]
    add_staff(registry, ADMIN)
    registry.actor = ADMIN
    erase_person(registry, "beneficiary", person)
    with registry.raw() as conn:
        left = conn.execute(
            "SELECT count(*), sum(value_text != '') FROM survey_answer a JOIN survey_contact c"
            " ON c.id = a.contact_id WHERE c.beneficiary_id = ? AND a.deleted_at IS NULL",
            (person,),
        ).fetchone()
        texts = conn.execute(
            "SELECT count(*) FROM survey_answer WHERE value_text LIKE '%Martin%'"
        ).fetchone()[0]
    assert left[0] == 0
    assert texts == 5  # the other five keep theirs; the erased one's text is gone
    registry.actor = COORDINATOR
    results = survey_results(registry, survey)
    assert results.respondents == 5
    assert next(q for q in results.questions if q.question.key == "q1").answered == 5
    with registry.session() as session:
        erased = session.scalars(
            select(OutboxEntry).where(
                OutboxEntry.entity == "survey_answer", OutboxEntry.op == "erase"
            )
        ).all()
    assert len(erased) == len(FULL)  # the platform's copies go too


def test_a_secretary_makes_the_calls_but_does_not_prepare_surveys(registry: Registry) -> None:
    coordinator(registry)
    helped(registry, 5)
    survey = phone_survey(registry)
    start_phone_survey(registry, survey)
    registry.actor = SECRETARY
    assert len(calls.call_list(registry, survey)) == 5
    with pytest.raises(PermissionDeniedError, match="préparer une enquête"):
        phone_survey(registry)
    with pytest.raises(PermissionDeniedError):
        survey_results(registry, survey)


def test_a_questionnaire_without_labelled_ends_or_choices_is_refused(registry: Registry) -> None:
    coordinator(registry)
    data = model_input(START, END)
    data.questions = [
        Question("", "echelle", "Êtes-vous content ?"),
        Question("", "choix_unique", "Lequel ?", options=("Seul",)),
    ]
    with pytest.raises(ValidationError) as refused:
        phone_survey(registry, **{f.name: getattr(data, f.name) for f in dataclasses.fields(data)})
    assert "deux bouts" in refused.value.errors["question_1"]
    assert "au moins deux choix" in refused.value.errors["question_2"]


def test_the_persons_data_export_holds_their_survey_answers(registry: Registry) -> None:
    from bippop_desk.registry.services.person_export import person_data

    coordinator(registry)
    helped(registry, 5)
    survey = phone_survey(registry)
    start_phone_survey(registry, survey)
    row = calls.call_list(registry, survey)[0]
    _interview(registry, row.contact_id, {"q2": "o", "q3": "2", "q4": "1 3"})
    with registry.raw() as conn:
        person = conn.execute(
            "SELECT beneficiary_id FROM survey_contact WHERE id = ?", (row.contact_id,)
        ).fetchone()[0]
    add_staff(registry, ADMIN)
    registry.actor = ADMIN
    (item,) = person_data(registry, person)["surveys"]
    assert item["enquete"] == "Isolement et aide reçue" and item["consentement"] is True
    assert item["Le rythme des visites ou des appels vous convient-il ?"] == "Comme il faut"
    assert item["Qu'est-ce que cet accompagnement a changé pour vous ?"] == (
        "Je parle plus souvent avec quelqu'un, Je me sens plus en sécurité chez moi"
    )


def test_two_years_after_a_survey_its_answers_no_longer_name_anyone(registry: Registry) -> None:
    import datetime as dt

    from bippop_desk.registry.services.survey_retention import anonymise_survey, surveys_due
    from bippop_desk.registry.services.surveys import close_survey

    coordinator(registry)
    helped(registry, 6)
    survey = phone_survey(registry)
    start_phone_survey(registry, survey)
    for row in calls.call_list(registry, survey):
        _interview(registry, row.contact_id, FULL)
    close_survey(registry, survey)
    add_staff(registry, ADMIN)
    registry.actor = ADMIN
    later = dt.datetime.now() + dt.timedelta(days=2 * 366)
    assert surveys_due(registry) == []  # just closed: kept as it is
    with pytest.raises(ValidationError, match="moins de 2 ans"):
        anonymise_survey(registry, survey)
    (due,) = surveys_due(registry, later)
    assert (due.survey_id, due.people) == (survey, 6)
    before = survey_results(registry, survey)
    assert anonymise_survey(registry, survey, later) == 6
    assert surveys_due(registry, later) == []
    with registry.raw() as conn:
        named = conn.execute(
            "SELECT count(*) FROM survey_contact WHERE beneficiary_id IS NOT NULL"
        ).fetchone()[0]
        texts = conn.execute("SELECT count(*) FROM survey_answer WHERE value_text LIKE '%Martin%'")
        assert (named, texts.fetchone()[0]) == (0, 0)
    after = survey_results(registry, survey)
    assert after.respondents == before.respondents == 6
    assert [q.shares for q in after.questions[:6]] == [q.shares for q in before.questions[:6]]
