"""The TMF621 specification for the tests that validate bodies against it (see tmf_spec.py)."""

from __future__ import annotations

import os

import pytest

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
