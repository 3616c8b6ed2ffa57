"""Validation of response bodies against the TMF621 v4 swagger definitions.

The specification is TM Forum's file, not the repository's: it is read from ``TELQC_SPEC_DIR``
(default ``../shared/refs`` beside the checkout, as CI lays it out). A test that needs it takes the
``spec`` fixture (conftest.py), which skips the test when the file is missing, naming the variable,
and fails it under ``CI=true``, where a missing specification means a broken checkout.

The spec leaves ``additionalProperties`` open; ``strict`` closes every object so that a
misspelt attribute (``statusChanges``) fails instead of passing unnoticed.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, FormatChecker

SPEC_NAME = "TMF621_TroubleTicket_v4.0.0.swagger.json"
SPEC_DIR_VAR = "TELQC_SPEC_DIR"
_REPO = Path(__file__).resolve().parents[2]


def spec_path() -> Path:
    return Path(os.environ.get(SPEC_DIR_VAR) or _REPO.parent / "shared" / "refs") / SPEC_NAME


class Spec:
    """The definitions of one specification file, open as published and closed (``strict``)."""

    def __init__(self, path: Path) -> None:
        self.open: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["definitions"]
        self.closed = copy.deepcopy(self.open)
        for schema in self.closed.values():
            if schema.get("type") == "object" and "properties" in schema:
                schema["additionalProperties"] = False

    def validate(self, definition: str, body: Any, strict: bool = True) -> None:
        schema = {"$ref": f"#/definitions/{definition}", "definitions": self.closed if strict else self.open}
        Draft4Validator(schema, format_checker=FormatChecker()).validate(body)
