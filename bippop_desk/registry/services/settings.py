"""Typed local settings of this installation, kept in the `app_setting` table.

Settings are declared once with their default (`Setting`), read with `get_setting` and
written with `set_setting`. They are local: never synced, no outbox. The hourly rates
that value volunteer hours are the exception that gets an audit event, because they
change a figure in a report that leaves the town hall.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Generic, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert

from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.models import AppSetting, AuditEvent
from bippop_desk.registry.store import Registry

T = TypeVar("T")

# Valorisation du bénévolat: the usual reference is the SMIC with employer charges.
# SMIC horaire brut on 1 January 2026: 12,02 € (revalorisation of +1.18 % published in
# December 2025). Employer charges: +45 %, the common-law employer contribution rate on
# a gross wage before the "réduction générale" (a rounded figure; staff may change it).
# 12,02 € × 1,45 = 17,429 → 17,43 € per hour.
SMIC_2026_GROSS_HOURLY = Decimal("12.02")
EMPLOYER_CHARGES_RATE = Decimal("0.45")
DEFAULT_HOURLY_RATE = (SMIC_2026_GROSS_HOURLY * (1 + EMPLOYER_CHARGES_RATE)).quantize(
    Decimal("0.01"), ROUND_HALF_UP
)
DEFAULT_HOURLY_RATE_SOURCE = (
    "SMIC horaire brut au 1er janvier 2026 (12,02 €) majoré de 45 % de charges patronales "
    "(taux de droit commun avant réduction générale), soit 17,43 € de l'heure"
)
MAX_HOURLY_RATE = Decimal("1000")

_RATE_PREFIX = "hours.rate."
_DEFAULT_RATE_KEY = _RATE_PREFIX + "*"


@dataclass(frozen=True)
class Setting(Generic[T]):
    """A local setting declared once: its key, default, and text conversions."""

    key: str
    default: T
    parse: Callable[[str], T]
    dump: Callable[[T], str] = str


def _parse_bool(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "oui", "yes")


def _dump_bool(value: bool) -> str:
    return "1" if value else "0"


# Settings of the reports (more can be declared next to the feature that needs them).
PSEUDONYMISE_BY_DEFAULT: Setting[bool] = Setting(
    "hours.pseudonymise_default", False, _parse_bool, _dump_bool
)
REPORTS_FOLDER: Setting[str] = Setting("reports.folder", "", str)


def get_setting(registry: Registry, setting: Setting[T]) -> T:
    """The stored value, or the declared default when absent or unreadable."""
    with registry.engine.connect() as conn:
        text = conn.scalar(select(AppSetting.value).where(AppSetting.key == setting.key))
    if text is None:
        return setting.default
    try:
        return setting.parse(text)
    except (ValueError, InvalidOperation):
        return setting.default


def set_setting(registry: Registry, setting: Setting[T], value: T) -> None:
    """Store a local setting (no audit, no outbox: it never leaves this computer)."""
    _upsert(registry, setting.key, setting.dump(value))


def _upsert(registry: Registry, key: str, value: str) -> None:
    statement = insert(AppSetting).values(key=key, value=value)
    statement = statement.on_conflict_do_update(
        index_elements=[AppSetting.key], set_={"value": value}
    )
    with registry.engine.begin() as conn:
        conn.execute(statement)


# -- hourly rates of the valorisation -------------------------------------------------
@dataclass(frozen=True)
class HourlyRates:
    """Euros per volunteer hour: one default, overridden per mission-type code."""

    default: Decimal = DEFAULT_HOURLY_RATE
    by_code: Mapping[str, Decimal] = field(default_factory=dict)
    default_is_builtin: bool = True

    def rate(self, code: str) -> Decimal:
        return self.by_code.get(code, self.default)

    @property
    def source(self) -> str:
        if self.default_is_builtin:
            return DEFAULT_HOURLY_RATE_SOURCE
        return "Taux fixé par la commune dans les réglages de Bip Pop Desk"


def hourly_rates(registry: Registry) -> HourlyRates:
    """The rates in force: the commune's own, else the documented default."""
    with registry.engine.connect() as conn:
        rows = conn.execute(
            select(AppSetting.key, AppSetting.value).where(AppSetting.key.like(_RATE_PREFIX + "%"))
        ).all()
    default = DEFAULT_HOURLY_RATE
    builtin = True
    by_code: dict[str, Decimal] = {}
    for key, text in rows:
        try:
            value = Decimal(text)
        except InvalidOperation:
            continue  # a hand-edited, unreadable value falls back to the default
        if key == _DEFAULT_RATE_KEY:
            default, builtin = value, False
        else:
            by_code[key[len(_RATE_PREFIX) :]] = value
    return HourlyRates(default, by_code, builtin)


def _check_rate(rate: Decimal) -> Decimal:
    if not rate.is_finite() or rate < 0 or rate > MAX_HOURLY_RATE:
        raise ValidationError.single(
            "rate", f"Le taux horaire doit être compris entre 0 et {MAX_HOURLY_RATE} €."
        )
    if rate != rate.quantize(Decimal("0.01")):
        raise ValidationError.single("rate", "Le taux horaire s'exprime au centime près.")
    return rate.quantize(Decimal("0.01"))


def set_hourly_rate(registry: Registry, code: str | None, rate: Decimal | None) -> None:
    """Set the rate of one mission-type code (`code=None`: the default rate);
    `rate=None` goes back to the default. Coordinators and administrators only.

    The change and its audit event commit together (no outbox: the setting is local).
    """
    key = _DEFAULT_RATE_KEY if code is None else _RATE_PREFIX + code.strip()
    if code is not None and not code.strip():
        raise ValidationError.single("code", "Choisissez un type de mission.")
    checked = None if rate is None else _check_rate(rate)
    what = "par défaut" if code is None else f"du type « {code.strip()} »"
    with registry.change() as changes:
        changes.actor.require("coordinateur", "administrateur", action="modifier les taux horaires")
        session = changes.session
        old = session.scalar(select(AppSetting.value).where(AppSetting.key == key))
        if checked is None:
            if old is None:
                return
            session.execute(delete(AppSetting).where(AppSetting.key == key))
            summary = f"Taux horaire {what} remis à la valeur par défaut (était {old} €)"
        else:
            if old == str(checked):
                return
            session.merge(AppSetting(key=key, value=str(checked)))
            before = f" (était {old} €)" if old is not None else ""
            summary = f"Taux horaire {what} fixé à {checked} €{before}"
        session.add(
            AuditEvent(
                at=utcnow(),
                user_name=changes.actor.display_name,
                user_role=changes.actor.role,
                action="setting",
                entity="app_setting",
                record_id=key,
                fields="value",
                summary=summary,
            )
        )


# -- pseudonyms -------------------------------------------------------------------------
_PSEUDONYM_KEY = "hours.pseudonym_key"


def pseudonym_key(registry: Registry) -> bytes:
    """This installation's secret for pseudonymous codes, made once on first use.

    Kept local: without it, nobody outside the commune can link a code back to a
    volunteer's id (ids do travel to the central platform).
    """
    statement = (
        insert(AppSetting)
        .values(key=_PSEUDONYM_KEY, value=secrets.token_hex(32))
        .on_conflict_do_nothing(index_elements=[AppSetting.key])
    )
    with registry.engine.begin() as conn:
        conn.execute(statement)
        value = conn.scalar(select(AppSetting.value).where(AppSetting.key == _PSEUDONYM_KEY))
    return bytes.fromhex(str(value))
