"""Registers the hub's event handler with the relay."""

from telqc.api.tmf621 import hub  # noqa: F401
