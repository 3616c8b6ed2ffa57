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
    "metrics", "workforce", "improvement", "evaluation",
)

# Interface adapters that plug in like domains (tables, routes, event handlers).
ADAPTERS = ("api.tmf621",)


def modules(name: str) -> Iterator[ModuleType]:
    for domain in (*DOMAINS, *ADAPTERS):
        qual = f"telqc.{domain}.{name}"
        if importlib.util.find_spec(qual) is not None:
            yield importlib.import_module(qual)
