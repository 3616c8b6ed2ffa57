"""The TMF621 specification for the tests that validate bodies against it (see tmf_spec.py)."""

from __future__ import annotations

import os

import pytest

from telqc.core.settings import Settings
from tmf621.tmf_spec import SPEC_DIR_VAR, SPEC_NAME, Spec, spec_path


@pytest.fixture(scope="session")
def spec() -> Spec:
    path = spec_path()
    if not path.exists():
        reason = f"{path} not found: set {SPEC_DIR_VAR} to the folder that holds {SPEC_NAME}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI=true: {reason}", pytrace=False)
        pytest.skip(reason)
    return Spec(path)


@pytest.fixture
def hub_allowed_hosts() -> str:
    """``TELQC_HUB_ALLOWED_HOSTS`` for the test: the hub tests' receivers listen on this machine, which the
    hub refuses to call unless an administrator allow-lists it. A test overrides it by parametrizing."""
    return "127.0.0.1"


@pytest.fixture
def settings(settings: Settings, hub_allowed_hosts: str) -> Settings:
    return settings.model_copy(update={"hub_allowed_hosts": hub_allowed_hosts})
