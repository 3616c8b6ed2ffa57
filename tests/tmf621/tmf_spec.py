"""Validation of response bodies against the TMF621 v4 swagger definitions in ../shared/refs.

The spec leaves ``additionalProperties`` open; ``strict`` closes every object so that a
misspelt attribute (``statusChanges``) fails instead of passing unnoticed.
"""

from __future__ import annotations

import copy
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, FormatChecker

SPEC_NAME = "TMF621_TroubleTicket_v4.0.0.swagger.json"
# ../shared/refs beside the checkout (as CI lays it out), or TELQC_SHARED_DIR.
_ROOTS = [Path(os.environ["TELQC_SHARED_DIR"])] if os.environ.get("TELQC_SHARED_DIR") else []
_ROOTS += [p / "shared" for p in Path(__file__).resolve().parents]
SPEC = next((r / "refs" / SPEC_NAME for r in _ROOTS if (r / "refs" / SPEC_NAME).exists()),
            Path(__file__).resolve().parents[3] / "shared" / "refs" / SPEC_NAME)


@cache
def _definitions(strict: bool) -> dict[str, Any]:
    defs = json.loads(SPEC.read_text(encoding="utf-8"))["definitions"]
    if strict:
        defs = copy.deepcopy(defs)
        for schema in defs.values():
            if schema.get("type") == "object" and "properties" in schema:
                schema["additionalProperties"] = False
    return defs


def validate(definition: str, body: Any, strict: bool = True) -> None:
    schema = {"$ref": f"#/definitions/{definition}", "definitions": _definitions(strict)}
    Draft4Validator(schema, format_checker=FormatChecker()).validate(body)
