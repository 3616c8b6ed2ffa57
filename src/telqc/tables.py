"""Imports every domain's tables so ``Base.metadata`` is complete (migrations, tests)."""

from telqc.core import audit, events  # noqa: F401
from telqc.core.db import Base
from telqc.domains import modules

for _module in modules("models"):
    pass

metadata = Base.metadata
