"""Extract the request schemas of the Tavus endpoints the app calls from Tavus's OpenAPI file.

    .venv/bin/python tests/contract/extract.py PATH/TO/tavus-openapi.yml

writes `tests/contract/tavus_requests.json`, which the contract tests read: the project never
reads the spec itself at run or test time. Run it again when the spec changes, and review the
diff. Per operation it keeps the JSON body schema (OpenAPI 3.0 turned into plain JSON
Schema: `$ref`s inlined, `nullable` as a `null` type, descriptions and examples dropped) and
the query parameters. Objects that list their properties are closed
(`additionalProperties: false`) so that a misspelt field fails the contract instead of being
ignored by Tavus. `CORRECTIONS` then applies what tavus-notes.md (or tavus-api.md, where the
spec is silent) says the spec gets wrong; each is recorded in the output.
"""

from __future__ import annotations

import argparse
import copy
import datetime
import hashlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

OUTPUT = Path(__file__).with_name("tavus_requests.json")
# The resource groups the client (bot/tavus/) calls.
PREFIXES = (
    "/v2/conversations",
    "/v2/personas",
    "/v2/replicas",
    "/v2/videos",
    "/v2/lipsync",
    "/v2/voices",
    "/v2/objectives",
    "/v2/guardrails",
    "/v2/documents",
    "/v2/pronunciation-dictionaries",
)
METHODS = ("get", "post", "put", "patch", "delete")
DROPPED_KEYS = frozenset({"description", "example", "examples", "title", "externalDocs"})
COMBINATORS = ("oneOf", "anyOf", "allOf")
JSON_PATCH_OPERATIONS = (
    "PATCH /v2/personas/{persona_id}",
    "PATCH /v2/objectives/{objectives_id}",
    "PATCH /v2/guardrails/{guardrails_id}",
    "PATCH /v2/pronunciation-dictionaries/{dictionary_id}",
)

Schema = dict[str, Any]


def _resolve(spec: Schema, node: Any) -> Any:
    """Inline local `$ref`s and drop what validation does not use."""
    if isinstance(node, list):
        return [_resolve(spec, item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return _resolve(spec, target)
    out = {}
    for key, value in node.items():
        if key in DROPPED_KEYS or key.startswith("x-"):
            continue
        if key == "properties":
            out[key] = {name: _resolve(spec, sub) for name, sub in value.items()}
        else:
            out[key] = _resolve(spec, value)
    return _nullable(out)


def _nullable(schema: Schema) -> Schema:
    """OpenAPI 3.0's `nullable: true` is JSON Schema's extra `null` type."""
    if schema.pop("nullable", False) and isinstance(schema.get("type"), str):
        schema["type"] = [schema["type"], "null"]
    return schema


def _close(schema: Any) -> Any:
    """Close every object that lists its properties; members of a `oneOf` are allowed on the
    parent (the branch still validates them) since a closed branch would refuse the rest."""
    if not isinstance(schema, dict):
        return schema
    properties = schema.get("properties")
    if isinstance(properties, dict):
        for sub in properties.values():
            _close(sub)
        for combinator in COMBINATORS:
            for branch in schema.get(combinator, []):
                for name in branch.get("properties", {}):
                    properties.setdefault(name, True)
        schema.setdefault("additionalProperties", False)
    for key in ("items", "additionalProperties"):
        _close(schema.get(key))
    return schema


def _json_body(spec: Schema, operation: Schema) -> tuple[list[str], Schema | None, bool]:
    body = operation.get("requestBody")
    if body is None:
        return [], None, False
    content = body.get("content", {})
    schema = content.get("application/json", {}).get("schema")
    resolved = None if schema is None else _close(_resolve(spec, schema))
    return sorted(content), resolved, bool(body.get("required"))


def _query(spec: Schema, parameters: list[Schema]) -> Schema:
    properties = {}
    required = []
    for parameter in parameters:
        parameter = _resolve(spec, parameter)
        if parameter.get("in") != "query":
            continue
        properties[parameter["name"]] = parameter.get("schema", {})
        if parameter.get("required"):
            required.append(parameter["name"])
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _operations(spec: Schema) -> dict[str, Schema]:
    found: dict[str, Schema] = {}
    for path, item in spec["paths"].items():
        if not path.startswith(PREFIXES):
            continue
        shared = item.get("parameters", [])
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            content_types, body, body_required = _json_body(spec, operation)
            found[f"{method.upper()} {path}"] = {
                "operation_id": operation.get("operationId"),
                "content_types": content_types,
                "body": body,
                "body_required": body_required,
                "query": _query(spec, [*shared, *operation.get("parameters", [])]),
            }
    return found


# Corrections


def _json_patch_value(operations: dict[str, Schema]) -> None:
    """RFC 6902: `value` is any JSON and only add/replace/test need it; copy/move need `from`."""
    for key in JSON_PATCH_OPERATIONS:
        item = operations[key]["body"]["items"]
        item["properties"]["value"] = True
        item["properties"]["from"] = {"type": "string"}
        item["required"] = ["op", "path"]
        item["allOf"] = [
            {
                "if": {"properties": {"op": {"enum": ["add", "replace", "test"]}}},
                "then": {"required": ["value"]},
            },
            {
                "if": {"properties": {"op": {"enum": ["copy", "move"]}}},
                "then": {"required": ["from"]},
            },
            {
                "if": {"properties": {"op": {"const": "remove"}}},
                "then": {"not": {"required": ["value"]}},
            },
        ]


def _persona_fields(operations: dict[str, Schema]) -> None:
    properties = operations["POST /v2/personas"]["body"]["properties"]
    properties["context"] = {"type": "string"}
    properties["guardrail_ids"] = {"type": "array", "items": {"type": "string"}}
    properties["guardrail_tags"] = {"type": "array", "items": {"type": "string"}}


def _open_perception_tools(operations: dict[str, Schema]) -> None:
    perception = operations["POST /v2/personas"]["body"]["properties"]["layers"]["properties"][
        "perception"
    ]["properties"]
    for key in ("visual_tools", "audio_tools"):
        perception[key]["items"] = {"type": "object"}


CORRECTIONS: tuple[tuple[str, Callable[[dict[str, Schema]], None]], ...] = (
    (
        "JSON Patch bodies (personas, objectives, guardrails, dictionaries): `value` may be any "
        "JSON and is required for add/replace/test only, not for remove (tavus-notes.md, "
        "Personas; the spec's own descriptions say so); `from` allowed, required for copy/move "
        "(RFC 6902).",
        _json_patch_value,
    ),
    (
        "POST /v2/personas: `context` (tavus-api.md; the spec omits it), `guardrail_ids` and "
        "`guardrail_tags` (tavus-notes.md, Personas: newer fields).",
        _persona_fields,
    ),
    (
        "POST /v2/personas layers.perception visual_tools/audio_tools items left open: the "
        "spec's items list name/description while its own example sends OpenAI "
        "`{type, function}` tools.",
        _open_perception_tools,
    ),
)


def build(spec: Schema, *, source: str, digest: str, today: str) -> Schema:
    operations = _operations(spec)
    for _, correct in CORRECTIONS:
        correct(operations)
    return {
        "$comment": (
            f"Generated by tests/contract/extract.py from {source} (sha256 {digest[:16]}) on "
            f"{today}. Do not edit by hand: run the script again and review the diff."
        ),
        "source": {
            "file": source,
            "sha256": digest,
            "openapi": spec.get("openapi"),
            "version": spec.get("info", {}).get("version"),
            "extracted_on": today,
        },
        "corrections": [text for text, _ in CORRECTIONS],
        "operations": dict(sorted(operations.items())),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", type=Path, help="tavus-openapi.yml")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    raw = args.spec.read_bytes()
    contract = build(
        copy.deepcopy(yaml.safe_load(raw)),
        source=args.spec.name,
        digest=hashlib.sha256(raw).hexdigest(),
        today=datetime.date.today().isoformat(),
    )
    args.output.write_text(json.dumps(contract, indent=1, sort_keys=False) + "\n")
    print(f"{len(contract['operations'])} operations -> {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
