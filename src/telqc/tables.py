"""Imports every domain's tables so ``Base.metadata`` is complete (migrations, tests)."""

from telqc.contacts import models as contacts_models  # noqa: F401
from telqc.core import audit, models  # noqa: F401
from telqc.core.db import Base
from telqc.customers import models as customers_models  # noqa: F401

metadata = Base.metadata
