"""Typed errors of the registry. Their messages are in French: the UI shows them as is."""

from __future__ import annotations


class RegistryError(Exception):
    """Base of every error a user may see; `str(error)` is a French sentence."""


class ValidationError(RegistryError):
    """Bad input. `errors` maps a field name to the French message shown next to it."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__(" ".join(self.errors.values()))

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls({field: message})


class NotFoundError(RegistryError):
    pass


class PermissionDeniedError(RegistryError):
    pass


class StatusTransitionError(RegistryError):
    """A status may only move forward (e.g. a done mission never goes back to planned)."""


class SchedulingError(RegistryError):
    """A double booking or an assignment outside the volunteer's availability."""

    def __init__(self, message: str, *, overridable: bool) -> None:
        super().__init__(message)
        self.overridable = overridable


class DatabaseTooNewError(RegistryError):
    """The registry file was written by a newer version of the app: never open it."""
