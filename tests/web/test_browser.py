"""The web pages in a real browser (headless Chromium, Selenium), keyboard only: each
form sent once with an error (the error summary, its links to the fields) then right,
and what it sends reaching a desk through a real sync; a validated volunteer signing in
by the e-mailed link and declaring hours that reach the desk's validation list; every
page checked by axe-core (0 violations of WCAG A/AA) and shot at 100 % and 200 %."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from sqlalchemy import select

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.models import Beneficiary, HoursEntry, Mission, Request, Volunteer
from bippop_desk.registry.services.hours_declarations import (
    accept_declaration,
    pending_declarations,
)
from bippop_desk.registry.services.missions_assign import assign_volunteer
from bippop_desk.registry.services.web_inbox import web_arrivals
from tests.conftest import add_person
from tests.core.test_missions import ask
from tests.core.test_volunteers import make_volunteer
from tests.web.browser import (
    DOWN,
    SPACE,
    axe_violations,
    enter_and_wait,
    fill,
    screenshots,
    submit,
)
from tests.web.conftest import Mailbox, Town


def look(driver: Any, name: str) -> None:
    """The page passes axe-core, has no horizontal scroll at 200 %, and is shot."""
    violations = axe_violations(driver)
    assert violations == [], f"{name}: {violations}"
    screenshots(driver, name)


def error_summary(driver: Any) -> list[tuple[str, str]]:
    summary = driver.find_element(By.CSS_SELECTOR, ".error-summary")
    assert driver.switch_to.active_element == summary  # read first by a screen reader
    assert driver.title.startswith("Erreur : ")
    links = summary.find_elements(By.TAG_NAME, "a")
    return [(str(a.get_attribute("href")).split("#")[1], a.text) for a in links]


def test_a_help_request_typed_with_the_keyboard_reaches_the_desk_to_check(
    browser: Any, town: Town
) -> None:
    browser.get(f"{town.url}/besoin-d-aide")
    look(browser, "besoin-d-aide")
    fill(browser, [("f-for_whom", DOWN), ("f-requester_name", "Claire Lemoine"),
                   ("f-first_name", "Odette"), ("f-last_name", "Lemoine3")])  # fmt: skip
    submit(browser)
    summary = error_summary(browser)
    fields = [anchor for anchor, _text in summary]
    assert fields == ["f-relation", "f-requester_phone", "f-last_name", "f-phone",
                      "f-address_line", "f-postal_code", "f-city", "f-mission_type",
                      "f-consent"]  # fmt: skip
    assert dict(summary)["f-last_name"] == "Un nom ne contient pas de chiffres."
    look(browser, "besoin-d-aide-erreurs")
    # The summary's link takes the keyboard to its field.
    ActionChains(browser).send_keys(Keys.TAB).perform()
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert browser.switch_to.active_element.get_attribute("id") == "f-relation"
    assert browser.find_element(By.ID, "f-first_name").get_attribute("value") == "Odette"
    browser.execute_script("document.activeElement.blur(); window.scrollTo(0, 0)")
    fill(browser, [("f-relation", "fille"), ("f-requester_phone", "06 11 22 33 44"),
                   ("f-last_name", "Lemoine"), ("f-phone", "03 44 12 34 56"),
                   ("f-address_line", "3 rue Solférino"), ("f-postal_code", "60200"),
                   ("f-city", "Compiègne"), ("f-mission_type", SPACE),
                   ("f-notes", "Elle aime parler jardinage."), ("f-consent", SPACE)])  # fmt: skip
    submit(browser)
    assert "/merci" in browser.current_url
    assert browser.find_element(By.TAG_NAME, "h1").text == "Merci, votre demande est envoyée"
    look(browser, "merci-demande")

    town.desk.sync_ok()
    (arrival,) = web_arrivals(town.desk.registry)
    assert arrival.kind == "request" and arrival.person == "Odette Lemoine"
    assert arrival.origin == "Arrivée par la plateforme en ligne"
    assert "faite par Claire Lemoine" in arrival.what
    with town.desk.registry.session() as session:
        request = session.get(Request, arrival.id)
        person = session.get(Beneficiary, request.beneficiary_id)  # type: ignore[union-attr]
        assert request is not None and person is not None
        assert (request.channel, request.status, request.urgency) == (
            "plateforme", "nouvelle", "normale")  # fmt: skip
        assert (person.consent_by, person.consent_third_party) == (
            "third_party", "Claire Lemoine (fille)")  # fmt: skip
        assert person.consent_date == local_today() and person.phone == "+33344123456"


def test_a_volunteer_sign_up_typed_with_the_keyboard_reaches_the_desk_as_a_candidate(
    browser: Any, town: Town
) -> None:
    add_person(town.desk.registry, "Paul", "Durand", phone="06 12 34 56 78")
    town.desk.sync_ok()
    browser.get(f"{town.url}/aider")
    look(browser, "aider")
    fill(browser, [("f-first_name", "Paul"), ("f-last_name", "Durand"),
                   ("f-email", "paul.durand@")])  # fmt: skip
    submit(browser)
    anchors = [anchor for anchor, _text in error_summary(browser)]
    assert anchors == ["f-email", "f-phone", "f-postal_code", "f-city", "f-charter"]
    look(browser, "aider-erreurs")
    browser.execute_script("document.activeElement.blur(); window.scrollTo(0, 0)")
    fill(browser, [("f-email", "paul.durand@example.fr"), ("f-phone", "06 12 34 56 78"),
                   ("f-postal_code", "60200"), ("f-city", "Compiègne"),
                   ("f-types", SPACE), ("f-has_car", SPACE), ("f-dispo", SPACE),
                   ("f-dispo-3-apres-midi", SPACE), ("f-message", "Le mardi surtout."),
                   ("f-charter", SPACE)])  # fmt: skip
    submit(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Merci, votre inscription est envoyée"
    look(browser, "merci-inscription")

    town.desk.sync_ok()
    (arrival,) = web_arrivals(town.desk.registry)
    assert arrival.kind == "volunteer" and arrival.person == "Paul Durand"
    # The same name and phone as a person of the registry: shown as at the phone desk.
    assert [(d.full_name, d.reason) for d in arrival.duplicates] == [
        ("Paul Durand", "même nom, même numéro de téléphone")]  # fmt: skip
    with town.desk.registry.session() as session:
        volunteer = session.get(Volunteer, arrival.id)
        assert volunteer is not None
        assert (volunteer.status, volunteer.origin, volunteer.has_car) == (
            "en_attente", "en_ligne", True)  # fmt: skip
        assert volunteer.charter_signed_on == local_today()


def test_every_other_public_page_passes_axe_and_holds_at_200_percent(
    browser: Any, town: Town
) -> None:
    for path, name in (("/", "accueil-plateforme"), ("/mentions-legales", "mentions-plateforme")):
        browser.get(f"{town.server.url}{path}")
        look(browser, name)
    for path, name in (("/", "accueil"), ("/mentions-legales", "mentions-legales"),
                       ("/charte", "charte"), ("/espace/", "espace-connexion")):  # fmt: skip
        browser.get(f"{town.url}{path}")
        look(browser, name)
    browser.get(f"{town.server.url}/communes/99999/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Commune introuvable"
    look(browser, "commune-introuvable")


def test_a_validated_volunteer_signs_in_by_mail_and_declared_hours_reach_the_validation_list(
    browser: Any, town: Town, mailbox: Mailbox
) -> None:
    registry = town.desk.registry
    marie = make_volunteer(registry, "Marie", "Curie", email="marie.curie@example.fr")
    yesterday = local_today() - dt.timedelta(days=1)
    helene = add_person(registry, "Hélène", "Le Goff", address_line="12 rue des Lilas",
                        phone="03 44 00 11 22")  # fmt: skip
    done_visit = ask(registry, None, None, None, person=helene)
    (visit_id,) = assign_volunteer(registry, done_visit, marie, today=yesterday,
                                   starts_at=dt.datetime.combine(yesterday, dt.time(14)),
                                   ).mission_ids  # fmt: skip
    jean = add_person(registry, "Jean", "Valjean", address_line="5 impasse Fantine",
                      phone="03 44 00 33 44")  # fmt: skip
    coming = ask(registry, local_today() + dt.timedelta(days=7), person=jean)
    assign_volunteer(registry, coming, marie)
    town.desk.sync_ok()

    browser.get(f"{town.url}/espace/")
    fill(browser, [("f-email", "Marie.Curie@example.fr ")])
    submit(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Vérifiez votre messagerie"
    link = mailbox.link_to("marie.curie@example.fr")
    browser.get(link)
    look(browser, "espace-lien")
    submit(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Bonjour Marie"
    session = browser.get_cookie("bp_session")
    assert session and session["httpOnly"] and session["sameSite"] == "Strict"
    table = browser.find_element(By.CSS_SELECTOR, "main table").text
    assert "Jean" in table and "5 impasse Fantine" in table
    for never in ("Valjean", "03 44 00 33 44", "Le Goff"):  # the roster's facts only
        assert never not in browser.page_source
    look(browser, "espace-missions")
    # The link served once.
    assert httpx.get(link).status_code == 410

    enter_and_wait(browser, browser.find_element(By.PARTIAL_LINK_TEXT, "Déclarer mes heures"))
    look(browser, "espace-heures")
    fill(browser, [("f-minutes", "abc")])
    submit(browser)
    assert [a for a, _t in error_summary(browser)] == ["f-minutes"]
    browser.execute_script("document.activeElement.blur(); window.scrollTo(0, 0)")
    fill(browser, [("f-minutes", "75"), ("f-mileage_km", "4,5"),
                   ("f-note", "Très bon moment.")])  # fmt: skip
    submit(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Heures déclarées"

    browser.get(f"{town.url}/espace/absence")
    look(browser, "espace-absence")
    start = local_today() + dt.timedelta(days=20)
    end = start + dt.timedelta(days=6)
    fill(browser, [("f-start_date", f"{start:%d/%m/%Y}"), ("f-end_date", f"{end:%d/%m/%Y}")])
    submit(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Absence enregistrée"

    browser.get(f"{town.url}/espace/")
    submit_feed = browser.find_element(By.XPATH, "//form[contains(@action,'/agenda')]//button")
    enter_and_wait(browser, submit_feed)
    feed_url = browser.find_element(By.CSS_SELECTOR, ".notice code").text
    feed = httpx.get(feed_url)
    assert feed.status_code == 200 and "BEGIN:VEVENT" in feed.text
    assert "Jean" in feed.text and "Valjean" not in feed.text

    town.desk.sync_ok()
    (declared,) = pending_declarations(registry)
    assert (declared.mission_id, declared.minutes, str(declared.mileage_km)) == (
        visit_id, 75, "4.5")  # fmt: skip
    with registry.session() as db:  # declared, not counted
        assert db.scalars(select(HoursEntry)).all() == []
    from tests.core.test_volunteers import as_coordinator

    entry_id = as_coordinator(registry, lambda: accept_declaration(registry, declared.id))
    with registry.session() as db:
        entry = db.get(HoursEntry, entry_id)
        mission = db.get(Mission, visit_id)
        assert entry is not None and entry.minutes == 75
        assert mission is not None and mission.status == "validee"
    assert pending_declarations(registry) == []


def test_the_accessibility_check_would_see_a_field_without_its_label(
    browser: Any, town: Town
) -> None:
    # The check itself works in these pages (their CSP does not stop axe-core).
    browser.get(f"{town.url}/aider")
    browser.execute_script("document.querySelector('label[for=f-first_name]').remove()")
    assert "label" in [v["id"] for v in axe_violations(browser)]
