"""Errors worded for the staff, in French. Registry errors already are; anything else
(a full disk, a locked file, a bug) gets a sentence that says what to do, and the
technical detail goes to the log, never to the screen."""

from __future__ import annotations

import logging

from bippop_desk.registry.errors import RegistryError, ValidationError

log = logging.getLogger(__name__)

_KNOWN = (
    (
        "database or disk is full",
        "Le disque est plein : rien n'a été enregistré. Libérez de la "
        "place sur l'ordinateur, puis recommencez.",
    ),
    (
        "disk i/o error",
        "Le disque ne répond pas : rien n'a été enregistré. Vérifiez la clé ou "
        "le disque du registre, puis recommencez.",
    ),
    (
        "database is locked",
        "Le registre est occupé par un autre programme : rien n'a été "
        "enregistré. Réessayez dans un instant.",
    ),
    (
        "readonly database",
        "Le registre est en lecture seule : rien n'a été enregistré. "
        "Vérifiez les droits sur le dossier du registre.",
    ),
    (
        "no space left",
        "Le disque est plein : rien n'a été enregistré. Libérez de la place "
        "sur l'ordinateur, puis recommencez.",
    ),
)


def error_text(error: BaseException) -> str:
    """The sentence to show for `error` (logged with its traceback when unexpected)."""
    if isinstance(error, ValidationError):
        return " ".join(error.errors.values())
    if isinstance(error, RegistryError):
        return str(error)
    text = str(error).lower()
    for fragment, sentence in _KNOWN:
        if fragment in text:
            log.warning("storage problem: %s", error)
            return sentence
    log.error("unexpected error", exc_info=error)
    return (
        "Une erreur inattendue s'est produite : rien n'a été enregistré à moitié. "
        "Réessayez ; si cela se reproduit, le détail est dans le journal du logiciel."
    )
