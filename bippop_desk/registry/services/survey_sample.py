"""Who is asked: the population, the sample size for the target margin, the draw.

- Population of a phone survey: the beneficiaries helped in the period (a visit or a
  call done or validated), optionally in some quartiers or for one mission type. Left
  out, and counted apart: people who refused a survey, those on the "ne pas appeler"
  list, those without a phone, those who died or left.
- Sample size: `survey_stats.required_sample` (95 %, finite population), shown before
  the survey starts ("184 personnes à joindre pour ± 5 %").
- The draw is reproducible: each person's place is a hash of the survey's seed and
  their id (blake2b), so the same seed draws the same people whatever the order the
  rows come in, and a replacement is simply the next person of the same stratum.
  Stratified by quartier on request (proportional allocation, largest remainders).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.errors import NotFoundError, ValidationError
from bippop_desk.registry.models import Survey, SurveyContact
from bippop_desk.registry.permissions import require
from bippop_desk.registry.services.surveys import get_survey
from bippop_desk.registry.store import Registry
from bippop_desk.registry.survey_stats import allocate, required_sample

NO_QUARTIER = "Quartier non renseigné"
EXCLUSIONS = {
    "refus": "ont refusé une enquête",
    "ne_pas_appeler": "sont sur la liste « ne pas appeler »",
    "sans_telephone": "n'ont pas de téléphone",
    "partis": "sont décédées ou parties",
}
FAILED = ("refus", "injoignable")

# The people helped in the period: their visits read from the missions' date index once,
# then each person's row by its key (bench `survey`); the exclusions read apart.
_HELPED = """
SELECT b.id, b.quartier, b.status, b.phone, b.phone_secondary
  FROM (SELECT DISTINCT beneficiary_id AS id FROM mission
         WHERE starts_at >= :start AND starts_at < :end AND deleted_at IS NULL
           AND status IN ('realisee', 'validee') {type_filter}) AS h
  JOIN beneficiary b ON b.id = h.id
 WHERE b.deleted_at IS NULL {quartier_filter}
"""
_REFUSED = """
SELECT DISTINCT beneficiary_id FROM survey_contact
 WHERE state = 'refus' AND deleted_at IS NULL AND beneficiary_id IS NOT NULL
"""
_DO_NOT_CALL = """
SELECT beneficiary_id FROM do_not_call WHERE removed_on IS NULL AND deleted_at IS NULL
"""


@dataclass(frozen=True)
class Population:
    people: list[tuple[str, str]]  # (beneficiary id, stratum) of those who may be asked
    excluded: dict[str, int]

    @property
    def size(self) -> int:
        return len(self.people)

    def strata(self) -> dict[str, int]:
        sizes: dict[str, int] = {}
        for _id, stratum in self.people:
            sizes[stratum] = sizes.get(stratum, 0) + 1
        return sizes


@dataclass(frozen=True)
class SamplePlan:
    population: int
    needed: int
    margin: float  # points, e.g. 5.0
    excluded: dict[str, int]
    allocation: dict[str, int]  # stratum → draws ({} when not stratified)

    def text(self) -> str:
        people = "personne" if self.needed == 1 else "personnes"
        return (
            f"{self.needed} {people} à joindre pour ± {self.margin:g} % "
            f"(sur {self.population} dans la population)".replace(".", ",")
        )

    def exclusions_text(self) -> str:
        parts = [f"{n} {EXCLUSIONS[k]}" for k, n in self.excluded.items() if n]
        return "Laissées de côté : " + ", ".join(parts) + "." if parts else ""


def stratum_label(stratum: str) -> str:
    return stratum or NO_QUARTIER


def helped_population(
    conn: sqlite3.Connection,
    start: str,
    end: str,
    quartiers: Sequence[str] = (),
    mission_type_id: str = "",
) -> Population:
    """Plain sqlite3 (the call screen's worker and the bench). `end` is exclusive."""
    params: dict[str, object] = {"start": start, "end": end}
    type_filter = quartier_filter = ""
    if mission_type_id:
        type_filter = "AND m.mission_type_id = :type"
        params["type"] = mission_type_id
    if quartiers:
        names = []
        for index, quartier in enumerate(quartiers):
            params[f"q{index}"] = quartier
            names.append(f":q{index}")
        quartier_filter = f"AND b.quartier IN ({', '.join(names)})"
    sql = _HELPED.format(type_filter=type_filter, quartier_filter=quartier_filter)
    refused = {row[0] for row in conn.execute(_REFUSED)}
    listed = {row[0] for row in conn.execute(_DO_NOT_CALL)}
    people: list[tuple[str, str]] = []
    excluded = dict.fromkeys(EXCLUSIONS, 0)
    for person_id, quartier, status, phone, phone2 in conn.execute(sql, params):
        if person_id in refused:
            excluded["refus"] += 1
        elif person_id in listed:
            excluded["ne_pas_appeler"] += 1
        elif status in ("decede", "parti"):
            excluded["partis"] += 1
        elif not phone and not phone2:
            excluded["sans_telephone"] += 1
        else:
            people.append((person_id, quartier.strip()))
    return Population(people, excluded)


def _keyed(seed: int, people: Iterable[tuple[str, str]]) -> list[tuple[bytes, str, str]]:
    """The people in the survey's random order: each one's place is the blake2b of the
    seed and their id (8 bytes, compared as the 64-bit number they spell)."""
    blake2b, prefix = hashlib.blake2b, f"{seed}:".encode()
    return sorted(
        (blake2b(prefix + pid.encode(), digest_size=8).digest(), pid, stratum)
        for pid, stratum in people
    )


def draw(
    people: Iterable[tuple[str, str]], seed: int, n: int, stratify: bool
) -> list[tuple[str, str]]:
    """The `n` people drawn, in call order: (id, stratum). Stratified: each stratum gets
    its proportional share, its own people taken in the random order."""
    keyed = _keyed(seed, people)
    if not stratify:
        return [(pid, stratum) for _key, pid, stratum in keyed[:n]]
    sizes: dict[str, int] = {}
    for _key, _pid, stratum in keyed:
        sizes[stratum] = sizes.get(stratum, 0) + 1
    left = allocate(sizes, n)
    chosen = []
    for _key, pid, stratum in keyed:  # the global order interleaves the strata
        if left[stratum] > 0:
            left[stratum] -= 1
            chosen.append((pid, stratum))
    return chosen


def _population(registry: Registry, survey_id: str) -> tuple[Population, float, bool]:
    survey = get_survey(registry, survey_id)
    if not survey.by_phone:
        raise ValidationError.single("audience", "Cette enquête se fait en ligne, sans tirage.")
    end = survey.period_end + dt.timedelta(days=1)  # the last day included
    with registry.raw() as conn:
        population = helped_population(
            conn,
            survey.period_start.isoformat(),
            end.isoformat(),
            survey.quartiers,
            survey.mission_type_id,
        )
    return population, float(survey.target_margin), survey.stratify


def sample_plan(registry: Registry, survey_id: str) -> SamplePlan:
    """What the draw will be, before the survey starts (nothing written)."""
    require(registry, "survey.manage", record_id=survey_id)
    population, margin, stratify = _population(registry, survey_id)
    needed = required_sample(population.size, margin / 100)
    allocation = allocate(population.strata(), needed) if stratify else {}
    return SamplePlan(population.size, needed, margin, population.excluded, allocation)


def start_phone_survey(registry: Registry, survey_id: str) -> int:
    """Draw the sample (a new seed, kept) and open the calls. Returns the sample size."""
    require(registry, "survey.manage", record_id=survey_id)
    population, margin, stratify = _population(registry, survey_id)
    if population.size == 0:
        raise ValidationError.single(
            "population",
            "Personne à interroger : aucune personne aidée sur la période (ou toutes sont "
            "laissées de côté). Changez la période, les quartiers ou le type de mission.",
        )
    needed = required_sample(population.size, margin / 100)
    seed = secrets.randbelow(2**31 - 1) + 1
    chosen = draw(population.people, seed, needed, stratify)
    with registry.change() as changes:
        record = changes.session.get(Survey, survey_id)
        if record is None or record.deleted_at is not None:
            raise NotFoundError("Cette enquête n'existe plus.")
        if record.status != "brouillon":
            raise ValidationError.single("status", "L'échantillon de cette enquête est déjà tiré.")
        changes.update(
            record,
            {"status": "en_cours", "seed": seed, "population": population.size,
             "sample_size": needed, "launched_at": utcnow()},
            f"Enquête « {record.title} » : échantillon de {needed} tiré (graine {seed})",
        )  # fmt: skip
        for rank, (person_id, stratum) in enumerate(chosen, start=1):
            changes.create(
                SurveyContact(
                    commune_id=changes.commune_id, survey_id=survey_id,
                    beneficiary_id=person_id, stratum=stratum, draw_rank=rank,
                ),
                "Personne tirée au sort pour une enquête",
            )  # fmt: skip
    return needed


def add_replacements(registry: Registry, survey_id: str) -> int:
    """One replacement, from the same stratum and in the seed's order, for each person
    who refused or could not be reached and has none yet. Returns how many were added."""
    require(registry, "survey.manage", record_id=survey_id)
    population, _margin, _stratify = _population(registry, survey_id)
    with registry.change() as changes:
        record = changes.session.get(Survey, survey_id)
        if record is None or record.status != "en_cours" or record.seed is None:
            raise ValidationError.single("status", "Cette enquête n'est pas en cours.")
        contacts = changes.session.scalars(
            select(SurveyContact).where(
                SurveyContact.survey_id == survey_id, SurveyContact.deleted_at.is_(None)
            )
        ).all()
        drawn = {c.beneficiary_id for c in contacts}
        replaced = {c.replaces_id for c in contacts if c.replaces_id}
        failed = [c for c in contacts if c.state in FAILED and c.id not in replaced]
        seed = record.seed
        order = _keyed(seed, ((p, s) for p, s in population.people if p not in drawn))
        rank = max((c.draw_rank for c in contacts), default=0)
        added = 0
        for contact in sorted(failed, key=lambda c: c.draw_rank):
            match = next((item for item in order if item[2] == contact.stratum), None)
            if match is None and not record.stratify:
                match = order[0] if order else None
            if match is None:
                continue
            order.remove(match)
            rank += 1
            added += 1
            changes.create(
                SurveyContact(
                    commune_id=changes.commune_id, survey_id=survey_id,
                    beneficiary_id=match[1], stratum=match[2], draw_rank=rank,
                    replaces_id=contact.id,
                ),
                "Personne tirée au sort en remplacement",
            )  # fmt: skip
    return added


def quartiers_in_use(registry: Registry) -> list[str]:
    """The quartiers of the registry's beneficiaries, for the population's filter."""
    with registry.raw() as conn:
        rows = conn.execute(
            "SELECT DISTINCT trim(quartier) FROM beneficiary "
            "WHERE deleted_at IS NULL AND trim(quartier) != '' ORDER BY 1"
        ).fetchall()
    return [row[0] for row in rows]
