"""Fixtures of the web pages' tests: the real server (uvicorn subprocess) with the web's
real limits, a local SMTP server (aiosmtpd: never a real one), a commune whose desk has
pushed its catalogue, and headless Chromium driven by Selenium (Debian's chromium and
chromium-driver). Screenshots go to shots/web/ (looked at by hand: see the report)."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from bippop_central.web.catalogue import set_contact
from tests.servers import CentralServer, free_port, start_central
from tests.sync.conftest import Commune, Desk

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "shots" / "web"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--lang=fr-FR"]  # fmt: skip
# Limits of the browser tests' server: real ones, wide enough for one test session.
LIMITS = "ip=400/600,commune=2000/3600,mail=40/3600,space=400/600"
_INSEE = itertools.count(70001)


class Mailbox:
    """aiosmtpd's handler: every message the server sends, parsed."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def wait_for(self, to: str, timeout: float = 10.0) -> Message:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in reversed(self.messages):
                if message["To"] == to:
                    return message
            time.sleep(0.05)
        raise AssertionError(f"no e-mail to {to} in {timeout} s")

    def link_to(self, to: str) -> str:
        body = self.wait_for(to).get_payload(decode=True)
        assert isinstance(body, bytes)
        found = re.search(r"https?://\S+/espace/lien/\S+", body.decode())
        assert found, body
        return found.group(0)


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port  # type: ignore[attr-defined]
    yield box
    controller.stop()


@pytest.fixture(scope="session")
def web_server(
    mailbox: Mailbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CentralServer]:
    env = {"BIPPOP_SMTP_HOST": "127.0.0.1", "BIPPOP_SMTP_PORT": str(mailbox.port),  # type: ignore[attr-defined]
           "BIPPOP_WEB_LIMITS": LIMITS, "BIPPOP_WEB_MIN_FILL_S": "1",
           "BIPPOP_WEB_DAILY_QUOTA": "200"}  # fmt: skip
    db = tmp_path_factory.mktemp("web") / "central.sqlite3"
    server = start_central(f"sqlite:///{db}", env=env)
    yield server
    server.stop()


@dataclass
class Town:
    """A commune open on the web, with a desk that pushed its catalogue."""

    server: CentralServer
    insee: str
    desk: Desk
    commune: Commune = field(repr=False)

    @property
    def url(self) -> str:
        return f"{self.server.url}/communes/{self.insee}"


@pytest.fixture
def town(web_server: CentralServer, tmp_path: Path) -> Iterator[Town]:
    insee = f"{next(_INSEE):05d}"
    web_server.add_commune(insee, f"Ville-{insee}", "70")
    set_contact(web_server.engine(), insee, service_name=f"CCAS de Ville-{insee}",
                phone="03 44 40 72 00", email="ccas@mairie.example.fr",
                address="1 place de la Mairie, 70000 Ville",
                opening_hours="du lundi au vendredi, de 8 h 30 à 17 h 30")  # fmt: skip
    commune = Commune(web_server, insee, tmp_path, [])
    desk = commune.desk("accueil")
    desk.sync_ok()  # the catalogue goes up: the forms offer it
    yield Town(web_server, insee, desk, commune)
    for each in commune.desks:
        each.registry.close()


def form_token(client: httpx.Client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (Path("/usr/bin/chromium").exists() and Path("/usr/bin/chromedriver").exists()):
        pytest.skip("navigateur NON TESTÉ : installez chromium et chromium-driver "
                    "(installer/debian-deps.sh test)")  # fmt: skip
    assert AXE.exists(), "axe-core absent : lancez « npm ci » (make test le fait)"

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument("--window-size=1280,900")
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
