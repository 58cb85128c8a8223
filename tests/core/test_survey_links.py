"""Online surveys on the desk: the commune's contacts invited one by one, links that
need the platform, and a secret that is never stored (only its hash)."""

from __future__ import annotations

import pytest

from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.models import SyncState
from bippop_desk.registry.services.survey_links import (
    add_commune_contact,
    link_hash,
    make_links,
    start_online_survey,
)
from bippop_desk.registry.services.surveys import get_survey
from bippop_desk.registry.store import Registry
from tests.core.survey_helpers import coordinator, phone_survey


def test_commune_contacts_get_links_that_only_the_hash_of_is_kept(registry: Registry) -> None:
    coordinator(registry)
    survey = phone_survey(registry, audience="commune")
    assert start_online_survey(registry, survey) == 0
    with pytest.raises(ValidationError, match="Indiquez qui"):
        add_commune_contact(registry, survey, "  ")
    for label in ("Mme la maire", "Adjoint aux solidarités", "Directrice du CCAS"):
        add_commune_contact(registry, survey, label)
    assert get_survey(registry, survey).population == 3
    with pytest.raises(ValidationError, match="relié à aucune plateforme"):
        make_links(registry, survey)
    with registry.change() as changes:  # as an enrollment leaves it (sync/state.py)
        changes.session.add(SyncState(server_url="https://bippop.exemple.fr/", device_id="d1"))
    links = make_links(registry, survey)
    assert [link.name for link in links] == ["Mme la maire", "Adjoint aux solidarités",
                                             "Directrice du CCAS"]  # fmt: skip
    secret = links[0].url.rsplit(".", 1)[1]
    assert links[0].url.startswith(f"https://bippop.exemple.fr/enquete/{links[0].contact_id}.")
    with registry.raw() as conn:
        stored = conn.execute(
            "SELECT token_hash FROM survey_contact WHERE id = ?", (links[0].contact_id,)
        ).fetchone()[0]
        everything = "".join(str(r) for r in conn.execute("SELECT * FROM outbox"))
    assert stored == link_hash(secret) and secret not in everything
    renewed = make_links(registry, survey, [links[0].contact_id])
    assert renewed[0].url != links[0].url  # the old link dies with its hash
