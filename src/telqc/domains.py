"""The domain packages, and discovery of their optional modules (models, api, pages, cli, messages).

Each domain plugs in by having the module; nothing central needs editing when one lands.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterator
from types import ModuleType

DOMAINS = (
    "core", "customers", "contacts", "orders", "incidents", "knowledge", "inspection", "surveys",
    "metrics", "workforce", "improvement", "evaluation", "insight", "training",
)

# Interface adapters that plug in like domains (tables, routes, event handlers).
ADAPTERS = ("api.tmf621",)


def module_names(name: str) -> list[str]:
    """The dotted names of the domains' (and adapters') modules called `name` that exist."""
    return [q for q in (f"telqc.{d}.{name}" for d in (*DOMAINS, *ADAPTERS)) if importlib.util.find_spec(q) is not None]


def modules(name: str) -> Iterator[ModuleType]:
    for qual in module_names(name):
        yield importlib.import_module(qual)
