"""Validation of response bodies against the TMF621 v4 swagger definitions.

The specification is TM Forum's file, not the repository's: it is read from ``TELQC_SPEC_DIR``
(default ``../shared/refs`` beside the checkout, as CI lays it out). A test that needs it takes the
``spec`` fixture (conftest.py), which skips the test when the file is missing, naming the variable,
and fails it under ``CI=true``, where a missing specification means a broken checkout.

The spec leaves ``additionalProperties`` open; ``strict`` closes every object so that a
misspelt attribute (``statusChanges``) fails instead of passing unnoticed.

The v4 swagger has no request or response samples; TM Forum's samples for TMF621 are in the v5 file
(``EXAMPLES_NAME``, same folder). `example` reads one and rewrites the few v5-only shapes to v4
(``relatedParty[].partyOrPartyRole`` and ``relatedEntity[].entity`` flattened, hrefs on /v4/), so a test
sends what a client copying the published sample would send.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft4Validator, FormatChecker

SPEC_NAME = "TMF621_TroubleTicket_v4.0.0.swagger.json"
EXAMPLES_NAME = "TMF621_TroubleTicket_v5.0.1.oas.yaml"
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


def _to_v4(value: Any) -> Any:
    if isinstance(value, list):
        return [_to_v4(v) for v in value]
    if isinstance(value, str):
        return value.replace("/v5/", "/v4/")
    if not isinstance(value, dict):
        return value
    out = {k: _to_v4(v) for k, v in value.items() if k not in ("partyOrPartyRole", "entity")}
    for nested in ("partyOrPartyRole", "entity"):  # v5 wraps the reference; v4 is the reference
        if isinstance(value.get(nested), dict):
            ref = _to_v4(value[nested])
            out = {**{k: v for k, v in ref.items() if k != "@type"}, **{k: v for k, v in out.items() if k != "@type"}}
    return out


class Examples:
    """TM Forum's TMF621 samples (components.examples and the hub request body of the v5 file), as v4."""

    def __init__(self, path: Path) -> None:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        self._examples: dict[str, Any] = doc["components"]["examples"]
        hub = doc["components"]["requestBodies"]["Hub_FVO"]["content"]["application/json"]["examples"]
        self.hub_request: dict[str, Any] = copy.deepcopy(next(iter(hub.values()))["value"])

    def __call__(self, name: str) -> Any:
        return _to_v4(copy.deepcopy(self._examples[name]["value"]))
