"""Typed local settings of this installation, kept in the `app_setting` table.

Every setting is declared once below (`Setting`: key, default, French label, parse/dump)
and listed in `SETTINGS`; read with `get_setting`, written with `set_setting`. Writes go
through `registry.change()` (BEGIN IMMEDIATE: the app and the CLI queue for the write
lock). Settings are local: never synced, no outbox. Settings that change what leaves
the town hall (hourly rates of the valorisation, the sync server, the commune's
identity on reports) also write an audit event, in the same transaction.

Stored settings carry a version (`settings.version`); `upgrade_settings` runs the steps
an older file has not had yet, once, at start-up (like the schema migrations, for values).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.models import AppSetting
from bippop_desk.registry.permissions import require
from bippop_desk.registry.store import Registry

log = logging.getLogger(__name__)
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
    """A local setting declared once: its key, default, and text conversions.

    `parse` raises ValueError for a value the setting refuses; `label` names it in
    French messages; `audited` settings write an audit event when they change.
    """

    key: str
    default: T
    parse: Callable[[str], T]
    dump: Callable[[T], str] = str
    label: str = ""
    audited: bool = False


def _parse_bool(text: str) -> bool:
    folded = text.strip().lower()
    if folded in ("1", "true", "oui", "yes"):
        return True
    if folded in ("0", "false", "non", "no", ""):
        return False
    raise ValueError(text)


def _dump_bool(value: bool) -> str:
    return "1" if value else "0"


def _bounded_int(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text.strip())
        if not low <= value <= high:
            raise ValueError(text)
        return value

    return parse


def _one_of(*choices: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in choices:
            raise ValueError(text)
        return text

    return parse


def _text(limit: int) -> Callable[[str], str]:
    def parse(text: str) -> str:
        cleaned = text.strip()
        if len(cleaned) > limit or any(ord(ch) < 32 for ch in cleaned):
            raise ValueError(text)
        return cleaned

    return parse


def _server_url(text: str) -> str:
    """Empty (no sync) or an http(s) address; TLS is the norm, plain http only for a
    server on this very computer (tests, a local reference server)."""
    url = text.strip().rstrip("/")
    if not url:
        return ""
    local = url.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]"))
    if (not url.startswith("https://") and not local) or " " in url or len(url) > 300:
        raise ValueError(text)
    return url


# -- every setting, declared once ------------------------------------------------------
# Commune identity as printed on the annual report and the exports (the commune's
# name and INSEE code live in the `commune` record, which syncs).
COMMUNE_ADDRESS: Setting[str] = Setting(
    "commune.address", "", _text(200), label="Adresse de la mairie", audited=True
)
COMMUNE_PHONE: Setting[str] = Setting(
    "commune.phone", "", _text(30), label="Téléphone de la mairie", audited=True
)
COMMUNE_EMAIL: Setting[str] = Setting(
    "commune.email", "", _text(200), label="E-mail de la mairie", audited=True
)
COMMUNE_SIGNATORY: Setting[str] = Setting(
    "commune.signatory", "", _text(160), label="Signataire des rapports", audited=True
)
# The central platform: where and how often the desk syncs (read by the sync client).
SYNC_SERVER_URL: Setting[str] = Setting(
    "sync.server_url", "", _server_url, label="Adresse du serveur Bip Pop", audited=True
)
SYNC_INTERVAL_MINUTES: Setting[int] = Setting(
    "sync.interval_minutes", 5, _bounded_int(1, 1440), label="Intervalle de synchronisation"
)
# Roster options (the defaults of the roster dialog and command).
ROSTER_LAYOUT: Setting[str] = Setting(
    "roster.layout", "day", _one_of("day", "volunteer"), label="Présentation du planning"
)
ROSTER_INCLUDE_CANCELLED: Setting[bool] = Setting(
    "roster.include_cancelled", False, _parse_bool, _dump_bool, "Visites annulées au planning"
)
# Follow-up thresholds of the coordinator's panel (days).
MAX_FOLLOWUP_DAYS = 365
UNMATCHED_DAYS: Setting[int] = Setting(
    "followups.unmatched_days",
    7,
    _bounded_int(1, MAX_FOLLOWUP_DAYS),
    label="Demandes sans bénévole depuis (jours)",
)
SILENT_DAYS: Setting[int] = Setting(
    "followups.silent_days",
    30,
    _bounded_int(1, MAX_FOLLOWUP_DAYS),
    label="Personnes sans nouvelles depuis (jours)",
)
# Reports.
PSEUDONYMISE_BY_DEFAULT: Setting[bool] = Setting(
    "hours.pseudonymise_default", False, _parse_bool, _dump_bool, "Pseudonymiser les bilans"
)
REPORTS_FOLDER: Setting[str] = Setting("reports.folder", "", _text(1000), label="Dossier")

SETTINGS: tuple[Setting[Any], ...] = (
    COMMUNE_ADDRESS,
    COMMUNE_PHONE,
    COMMUNE_EMAIL,
    COMMUNE_SIGNATORY,
    SYNC_SERVER_URL,
    SYNC_INTERVAL_MINUTES,
    ROSTER_LAYOUT,
    ROSTER_INCLUDE_CANCELLED,
    UNMATCHED_DAYS,
    SILENT_DAYS,
    PSEUDONYMISE_BY_DEFAULT,
    REPORTS_FOLDER,
)


def get_setting(registry: Registry, setting: Setting[T]) -> T:
    """The stored value, or the declared default when absent or unreadable."""
    with registry.engine.connect() as conn:
        text = conn.scalar(select(AppSetting.value).where(AppSetting.key == setting.key))
    return _parsed(setting, text)


def _parsed(setting: Setting[T], text: str | None) -> T:
    if text is None:
        return setting.default
    try:
        return setting.parse(text)
    except (ValueError, InvalidOperation):
        return setting.default


def sync_server_url(registry: Registry) -> str:
    """The central server's address ("" = sync not configured)."""
    return get_setting(registry, SYNC_SERVER_URL)


def sync_interval_minutes(registry: Registry) -> int:
    """Minutes between two automatic syncs (default 5)."""
    return get_setting(registry, SYNC_INTERVAL_MINUTES)


def sync_interval_setting() -> Setting[int]:
    """The declared sync interval setting (for the sync controller)."""
    return SYNC_INTERVAL_MINUTES


def _checked_text(setting: Setting[T], value: T) -> str:
    text = setting.dump(value)
    try:
        setting.parse(text)
    except (ValueError, InvalidOperation):
        name = setting.label or setting.key
        raise ValidationError.single(
            setting.key, f"Valeur refusée pour « {name} » : {text[:60]!s}."
        ) from None
    return text


def set_setting(registry: Registry, setting: Setting[T], value: T) -> None:
    """Store a local setting (no outbox: it never leaves this computer); a refused value
    raises ValidationError (French) and nothing is written."""
    set_settings(registry, {setting: value})


def set_settings(registry: Registry, values: Mapping[Setting[Any], Any]) -> list[str]:
    """Store several settings in one transaction; returns the keys that changed.

    Every value is checked first: one refused value and nothing is written."""
    texts = {setting: _checked_text(setting, value) for setting, value in values.items()}
    changed: list[str] = []
    with registry.change() as changes:
        session = changes.session
        for setting, text in texts.items():
            old = session.scalar(select(AppSetting.value).where(AppSetting.key == setting.key))
            if old == text:
                continue
            _upsert(session, setting.key, text)
            changed.append(setting.key)
            if setting.audited:
                changes.note_local(
                    "setting",
                    "app_setting",
                    setting.key,
                    f"Réglage « {setting.label} » modifié",
                )
    return changed


def save_thresholds(registry: Registry, unmatched_days: int, silent_days: int) -> None:
    """The coordinator's follow-up thresholds, both or neither."""
    set_settings(registry, {UNMATCHED_DAYS: unmatched_days, SILENT_DAYS: silent_days})


def _upsert(session: Session, key: str, value: str) -> None:
    statement = insert(AppSetting).values(key=key, value=value)
    statement = statement.on_conflict_do_update(
        index_elements=[AppSetting.key], set_={"value": value}
    )
    session.execute(statement)


# -- versioned upgrades of stored values ---------------------------------------------------
_VERSION_KEY = "settings.version"


def _drop_unreadable(session: Session) -> None:
    """Version 1: values of declared settings that no longer parse (hand-edited files,
    an older build's looser rules) are removed, so the default shows instead of a value
    the screens would silently ignore."""
    declared = {setting.key: setting for setting in SETTINGS}
    rows = session.execute(
        select(AppSetting.key, AppSetting.value).where(AppSetting.key.in_(declared))
    ).all()
    for key, text in rows:
        try:
            declared[key].parse(text)
        except (ValueError, InvalidOperation):
            log.warning("setting %s: unreadable value dropped by the settings upgrade", key)
            session.execute(delete(AppSetting).where(AppSetting.key == key))


# Steps in order; step N brings a file from version N-1 to version N. Append, never edit.
UPGRADES: tuple[Callable[[Session], None], ...] = (_drop_unreadable,)
SETTINGS_VERSION = len(UPGRADES)


def settings_version(registry: Registry) -> int:
    with registry.engine.connect() as conn:
        text = conn.scalar(select(AppSetting.value).where(AppSetting.key == _VERSION_KEY))
    try:
        return int(text) if text is not None else 0
    except ValueError:
        return 0


def upgrade_settings(
    registry: Registry, steps: tuple[Callable[[Session], None], ...] = UPGRADES
) -> int:
    """Run the steps this file has not had yet, all in one transaction with the new
    version number; returns the version reached. Cheap when already current."""
    if settings_version(registry) >= len(steps):
        return len(steps)
    with registry.change() as changes:
        session = changes.session
        text = session.scalar(select(AppSetting.value).where(AppSetting.key == _VERSION_KEY))
        current = int(text) if text is not None and text.isdigit() else 0
        for step in steps[current:]:
            step(session)
        if current < len(steps):
            _upsert(session, _VERSION_KEY, str(len(steps)))
            log.info("settings upgraded from version %s to %s", current, len(steps))
    return max(current, len(steps))


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
    require(registry, "valorisation")  # refusal journaled
    with registry.change() as changes:
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
            _upsert(session, key, str(checked))
            before = f" (était {old} €)" if old is not None else ""
            summary = f"Taux horaire {what} fixé à {checked} €{before}"
        changes.note_local("setting", "app_setting", key, summary)


# -- pseudonyms -------------------------------------------------------------------------
_PSEUDONYM_KEY = "hours.pseudonym_key"


def pseudonym_key(registry: Registry) -> bytes:
    """This installation's secret for pseudonymous codes, made once on first use.

    Kept in the OS keyring (bippop_desk/secrets.py), never in the registry file: without
    it, nobody outside the commune can link a code back to a volunteer's id (ids do
    travel to the central platform). A key an older version kept in `app_setting` moves
    to the keyring once and leaves the file. No keyring: SecretStoreUnavailable (French).
    """
    from bippop_desk.secrets import get_secret, secret_name, set_secret

    name = secret_name("pseudonym-key", registry.commune_id_or_empty() or str(registry.path))
    stored = get_secret(name)
    if stored:
        return bytes.fromhex(stored)
    with registry.change() as changes:
        old = changes.session.scalar(
            select(AppSetting.value).where(AppSetting.key == _PSEUDONYM_KEY)
        )
        value = str(old) if old else secrets.token_hex(32)
        # Inside the transaction: should the keyring fail, the old row stays.
        set_secret(name, value)
        if old:
            changes.session.execute(delete(AppSetting).where(AppSetting.key == _PSEUDONYM_KEY))
    return bytes.fromhex(value)
