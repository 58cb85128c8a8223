"""Bip Pop Desk: the town hall's back office for mutual aid against isolation."""

__version__ = "0.1.0"
APP_NAME = "Bip Pop Desk"
