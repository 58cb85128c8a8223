"""Who may do what: the role matrix, plus register access granted by name.

Every service that reads personal data or writes calls `require(registry, PERMISSION)`
first, outside its write transaction. A refusal is journaled (in its own short
transaction) and raised as PermissionDeniedError with a French sentence, whatever
the caller (UI, CLI or a test) — hiding a button in the UI is only a convenience.

Register access is not a role: the mairie names the staff members who may see the
register (CASF R121-3: only the people in charge of it). It is a flag on the staff
user, read from the database at each check, so a withdrawal takes effect at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bippop_desk.registry.actor import ROLES, SYSTEM_ACTOR, Actor
from bippop_desk.registry.errors import PermissionDeniedError
from bippop_desk.registry.models import User
from bippop_desk.registry.store import Registry

ALL = frozenset(ROLES)
STAFF = frozenset({"coordinateur", "administrateur"})
ADMIN = frozenset({"administrateur"})


@dataclass(frozen=True)
class Permission:
    roles: frozenset[str]
    action: str  # French, completes "Votre rôle ne permet pas de …"
    register: bool = False  # also needs register access granted by name


PERMISSIONS: dict[str, Permission] = {
    "people.read": Permission(ALL, "consulter les fiches des personnes"),
    "people.write": Permission(ALL, "modifier les fiches des personnes"),
    "coordination": Permission(STAFF, "coordonner les bénévoles et les interventions"),
    "register.read": Permission(ALL, "consulter le registre des personnes vulnérables", True),
    "register.write": Permission(ALL, "inscrire ou radier dans le registre", True),
    "register.export": Permission(ALL, "transmettre le registre au préfet", True),
    "campaign.run": Permission(ALL, "mener les appels d'une campagne", True),
    "campaign.manage": Permission(ALL, "enregistrer une alerte", True),
    "journal.read": Permission(ADMIN, "consulter le journal"),
    "staff.manage": Permission(ADMIN, "gérer les utilisateurs et leurs accès"),
    "data_protection": Permission(ADMIN, "traiter les demandes RGPD (export, effacement)"),
    "retention": Permission(ADMIN, "archiver ou anonymiser des fiches anciennes"),
    "backup": Permission(ADMIN, "sauvegarder ou restaurer le registre"),
    # Connecting the registry to a platform sends it every person's data: staff only.
    "sync.enroll": Permission(STAFF, "inscrire ce poste auprès de la plateforme Bip Pop"),
    "catalogue": Permission(STAFF, "modifier le catalogue des missions"),
    "valorisation": Permission(STAFF, "modifier les taux horaires de la valorisation"),
    "import": Permission(STAFF, "importer des fiches depuis un tableur"),
    # Impact surveys (issue 16): staff prepare them, draw the sample, read the results;
    # everyone may make the calls (the consent and the answers of one person at a time).
    "survey.manage": Permission(STAFF, "préparer une enquête ou en lire les résultats"),
    "survey.call": Permission(ALL, "mener les appels d'une enquête"),
}


def current_actor(registry: Registry) -> Actor:
    """Who acts on this thread: the actor of the job being run (`Registry.acting_as`,
    captured when the UI submitted it), else the registry's."""
    scope = getattr(getattr(registry, "_local", None), "scope", None)
    actor = getattr(scope, "actor", None)
    return actor if isinstance(actor, Actor) else registry.actor


def has_register_access(registry: Registry, actor: Actor) -> bool:
    if actor == SYSTEM_ACTOR:
        return False  # internal jobs never need the register
    with registry.session() as session:
        granted = session.scalar(
            select(User.register_access).where(
                User.username == actor.username,
                User.active.is_(True),
                User.deleted_at.is_(None),
            )
        )
    return bool(granted)


def allowed(registry: Registry, permission: str, actor: Actor | None = None) -> bool:
    """Whether `actor` (default: the registry's) may; for the UI to hide what is refused."""
    who = actor or current_actor(registry)
    rule = PERMISSIONS[permission]
    if who.role not in rule.roles:
        return False
    return not rule.register or has_register_access(registry, who)


def require(registry: Registry, permission: str, *, record_id: str = "") -> None:
    """Raise PermissionDeniedError (after journaling the refusal) unless allowed.

    Call it before `registry.change()`: the refusal is written in its own transaction.
    """
    if allowed(registry, permission):
        return
    from bippop_desk.registry.services.audit_trail import REFUSED, log_event

    rule = PERMISSIONS[permission]
    log_event(registry, REFUSED, "permission", f"Refusé : {rule.action}", record_id)
    if rule.register and current_actor(registry).role in rule.roles:
        raise PermissionDeniedError(
            "Vous n'êtes pas nommé·e pour le registre des personnes vulnérables "
            f"(action refusée : {rule.action}). Un administrateur peut vous donner l'accès "
            "(Protection des données, Utilisateurs et accès)."
        )
    raise PermissionDeniedError(
        f"Votre rôle ne permet pas de {rule.action}. Demandez à un administrateur."
    )
