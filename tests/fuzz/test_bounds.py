"""Every integer and date a client can send is bounded in /openapi.json (issue 17: integers above 2^63−1 were an
OverflowError in the database driver, dates before year 1 or after 9999 an OverflowError in date arithmetic).

The walk reads the published schema, so a new route or field without bounds fails here by name, before a
fuzzer finds it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI

from telqc.core.schemas import MAX_INT

Node = dict[str, Any]


def _inputs(spec: Node) -> Iterator[tuple[str, Node]]:
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            label = f"{method.upper()} {path}"
            for p in op.get("parameters", []):
                yield f"{label} {p['in']}.{p['name']}", p["schema"]
            for media, content in op.get("requestBody", {}).get("content", {}).items():
                yield f"{label} body({media})", content["schema"]


def _walk(spec: Node, node: Any, where: str, seen: set[str]) -> Iterator[tuple[str, Node]]:
    if isinstance(node, list):
        for item in node:
            yield from _walk(spec, item, where, seen)
        return
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if name not in seen:
            yield from _walk(spec, spec["components"]["schemas"][name], f"{where} → {name}", seen | {name})
        return
    yield where, node
    for key, value in node.items():
        if key == "properties":
            for prop, sub in value.items():
                yield from _walk(spec, sub, f"{where}.{prop}", seen)
        elif key in ("items", "anyOf", "oneOf", "allOf", "additionalProperties", "prefixItems"):
            yield from _walk(spec, value, where, seen)


def _unbounded(app: FastAPI, kind: str) -> list[str]:
    spec = app.openapi()
    found = []
    for where, root in _inputs(spec):
        for at, node in _walk(spec, root, where, set()):
            if node.get("type") != kind:
                continue
            if kind == "integer":
                top = node.get("maximum", node.get("exclusiveMaximum"))
                low = node.get("minimum", node.get("exclusiveMinimum"))
                # JSON numbers: 2^63−1 is published as the float 2^63, which is still refused by the model.
                if top is None or top > float(MAX_INT) or low is None or low < -float(MAX_INT):
                    found.append(at)
    return sorted(set(found))


def test_every_integer_a_client_sends_has_bounds_the_database_can_store(app: FastAPI) -> None:
    assert _unbounded(app, "integer") == []
