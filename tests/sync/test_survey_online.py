"""Volunteers answer a survey online (issue 16): the desk makes one-time links, syncs;
the real platform on 127.0.0.1 serves the questionnaire as a page, takes the answers
once, and they come back to the desk with the next sync, where the results count them."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess

import httpx

from bippop_desk.registry.services.survey_links import make_links, start_online_survey
from bippop_desk.registry.services.survey_results import survey_results
from bippop_desk.registry.services.surveys import close_survey, create_survey, model_input
from bippop_desk.registry.services.volunteers import (
    VolunteerInput,
    change_volunteer_status,
    create_volunteer,
)
from tests.sync.conftest import Commune

SHOTS = os.environ.get("BIPPOP_SHOTS", "")
ANSWERS = {"q1": "4", "q2": "1", "q3": "1", "q4": ["0", "2"], "q5": "5", "q6": "3,5",
           "q7": "Merci à Mme Lefort, appelez-moi au 06 11 22 33 44",
           "consentement": "oui"}  # fmt: skip


FIRST = ("Anne", "Bruno", "Chloé", "Denis", "Élise", "Farid")


def _send(
    web: httpx.Client, url: str, answers: dict[str, object], **headers: str
) -> httpx.Response:
    """Open the page (its CSRF token and cookie), then send the form as a browser does."""
    page = web.get(url)
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    origin = url.split("/enquete/")[0]
    data = {**answers, "csrf": token.group(1) if token else ""}
    return web.post(url, data=data, headers={"Origin": origin, **headers})


def _volunteers(registry: object, count: int) -> None:
    for index in range(count):
        person = create_volunteer(
            registry,  # type: ignore[arg-type]
            VolunteerInput(FIRST[index], "Lefort", email=f"b{index}@exemple.fr",
                           charter_signed_on=dt.date(2026, 1, 5)),
        )  # fmt: skip
        change_volunteer_status(registry, person, "valide")  # type: ignore[arg-type]


def test_a_volunteer_answers_once_online_and_the_answers_come_back_to_the_desk(
    commune: Commune,
) -> None:
    desk = commune.desk("mairie")
    registry = desk.registry
    _volunteers(registry, 6)
    data = model_input(dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    data.audience = "benevoles"
    survey = create_survey(registry, data)
    assert start_online_survey(registry, survey) == 6
    links = make_links(registry, survey)
    assert len(links) == 6 and all(link.url.startswith(commune.server.url) for link in links)
    assert links[0].email == "b0@exemple.fr"
    desk.sync_ok()  # the questionnaire and the links' hashes go up

    if SHOTS and shutil.which("chromium"):  # looked at by hand: the page as a browser shows it
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                        "--window-size=900,2300", f"--screenshot={SHOTS}/survey-web.png",
                        links[1].url], capture_output=True, timeout=60, check=False)  # fmt: skip
    with httpx.Client(timeout=10) as web:
        page = web.get(links[0].url)
        assert page.status_code == 200
        # The public pages' headers: never cached, never sent to another site, no robots.
        assert page.headers["referrer-policy"] == "same-origin"
        assert page.headers["cache-control"] == "no-store"
        assert "noindex" in page.headers["x-robots-tag"]
        assert '<link rel="stylesheet" href="/static/site.css">' in page.text  # the layout
        assert "Isolement et aide reçue" in page.text and 'lang="fr"' in page.text
        assert "vous sentez-vous moins seul·e" in page.text
        # No consent, a bad number: nothing saved, French messages, the choices kept.
        refused = _send(web, links[0].url, {**ANSWERS, "consentement": "", "q6": "beaucoup"})
        assert refused.status_code == 422
        assert (
            "Cochez la case pour accepter" in refused.text and "Écrivez un nombre" in refused.text
        )
        assert re.search(r'value="4" checked', refused.text)
        # From another site: refused.
        foreign = _send(web, links[0].url, ANSWERS, Origin="https://ailleurs.fr")
        assert foreign.status_code == 403
        forged = web.post(
            links[0].url,
            data={**ANSWERS, "csrf": "1.abc"},
            headers={"Origin": links[0].url.split("/enquete/")[0]},
        )
        assert forged.status_code == 403 and "expiré" in forged.text  # no token: no answer
        for link in links:
            answered = _send(web, link.url, ANSWERS)
            assert answered.status_code == 200 and "Vos réponses sont enregistrées" in answered.text
        again = _send(web, links[0].url, ANSWERS)  # a link serves once
        assert "Ce lien ne sert qu&#39;une fois" in again.text
        wrong = web.get(links[1].url[:-4] + "AAAA")
        assert wrong.status_code == 404

    desk.sync_ok()  # the answers come down
    results = survey_results(registry, survey)
    assert results.respondents == 6 and results.response_rate == 1.0
    by_key = {q.question.key: q for q in results.questions}
    assert by_key["q1"].mean is not None and by_key["q1"].mean.estimate == 4
    assert by_key["q4"].shares[2].count == 6
    assert by_key["q6"].median == 3.5
    assert all("Lefort" not in t and "06 11" not in t for t in by_key["q7"].texts)

    # A new link for someone who answered is not made; a closed survey's page says so.
    assert make_links(registry, survey) == []
    close_survey(registry, survey)
    desk.sync_ok()
    with httpx.Client(timeout=10) as web:
        assert "Vos réponses sont enregistrées" in web.get(links[0].url).text


def test_an_erased_volunteers_answers_leave_every_desk(commune: Commune) -> None:
    from bippop_desk.registry.actor import Actor
    from bippop_desk.registry.services.erasure import erase_person

    desk = commune.desk("mairie")
    registry = desk.registry
    _volunteers(registry, 5)
    data = model_input(dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    data.audience = "benevoles"
    survey = create_survey(registry, data)
    start_online_survey(registry, survey)
    links = make_links(registry, survey)
    desk.sync_ok()
    with httpx.Client(timeout=10) as web:
        for link in links:
            assert _send(web, link.url, ANSWERS).status_code == 200
    desk.sync_ok()
    with registry.raw() as conn:
        volunteer = conn.execute(
            "SELECT volunteer_id FROM survey_contact WHERE id = ?", (links[0].contact_id,)
        ).fetchone()[0]
    registry.actor = Actor("admin", "Alain Admin", "administrateur")
    erase_person(registry, "volunteer", volunteer)
    desk.sync_ok()  # the erasures go up
    other = commune.desk("ccas")
    other.sync_ok()  # a second desk of the commune gets the survey without them
    results = survey_results(other.registry, survey)
    assert results.respondents == 4
    assert all(q.answered == 4 for q in results.questions)
    with other.registry.raw() as conn:
        kept = conn.execute(
            "SELECT count(*) FROM survey_answer WHERE contact_id = ? AND deleted_at IS NULL",
            (links[0].contact_id,),
        ).fetchone()[0]
    assert kept == 0
