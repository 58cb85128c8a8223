"""The reference central Bip Pop server the desks sync with (HTTP JSON API)."""

__version__ = "0.1.0"
