"""A small RFC 6902 JSON Patch, enough for Tavus's PATCH endpoints (personas, objectives...)."""

from __future__ import annotations

import copy
from typing import Any


class PatchError(ValueError):
    pass


def _parse_pointer(path: Any) -> list[str]:
    if not isinstance(path, str) or not path.startswith("/"):
        raise PatchError(f"Invalid path: {path!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _parent(doc: Any, parts: list[str]) -> tuple[Any, str]:
    node = doc
    for part in parts[:-1]:
        node = _child(node, part)
    return node, parts[-1]


def _child(node: Any, key: str) -> Any:
    if isinstance(node, dict) and key in node:
        return node[key]
    if isinstance(node, list) and key.isdigit() and int(key) < len(node):
        return node[int(key)]
    raise PatchError(f"Path not found: {key!r}")


def _get(doc: Any, parts: list[str]) -> Any:
    parent, key = _parent(doc, parts)
    return _child(parent, key)


def _add(doc: Any, parts: list[str], value: Any) -> None:
    parent, key = _parent(doc, parts)
    if isinstance(parent, dict):
        parent[key] = value
    elif isinstance(parent, list) and (key == "-" or key.isdigit() and int(key) <= len(parent)):
        parent.insert(len(parent) if key == "-" else int(key), value)
    else:
        raise PatchError(f"Cannot add at {key!r}")


def _remove(doc: Any, parts: list[str]) -> Any:
    parent, key = _parent(doc, parts)
    value = _child(parent, key)
    if isinstance(parent, dict):
        del parent[key]
    else:
        del parent[int(key)]
    return value


def _apply_one(doc: dict[str, Any], op: Any) -> None:
    if not isinstance(op, dict) or "op" not in op:
        raise PatchError("Each operation needs an op and a path")
    parts = _parse_pointer(op.get("path"))
    kind = op["op"]
    if kind in ("add", "replace", "test") and "value" not in op:
        raise PatchError(f"{kind} needs a value")
    if kind == "add":
        _add(doc, parts, copy.deepcopy(op["value"]))
    elif kind == "replace":
        _remove(doc, parts)
        _add(doc, parts, copy.deepcopy(op["value"]))
    elif kind == "remove":
        _remove(doc, parts)
    elif kind == "test":
        if _get(doc, parts) != op["value"]:
            raise PatchError("Test operation failed")
    elif kind in ("copy", "move"):
        source = _parse_pointer(op.get("from"))
        value = _remove(doc, source) if kind == "move" else copy.deepcopy(_get(doc, source))
        _add(doc, parts, value)
    else:
        raise PatchError(f"Unknown op: {kind!r}")


def apply_patch(document: dict[str, Any], operations: Any) -> dict[str, Any]:
    """Return a patched copy; the original is untouched if any operation fails."""
    if not isinstance(operations, list):
        raise PatchError("A JSON patch is a list of operations")
    patched = copy.deepcopy(document)
    for op in operations:
        _apply_one(patched, op)
    return patched


def touched_fields(operations: list[dict[str, Any]]) -> set[str]:
    """Top-level fields named by the operations' `path` (and `from`)."""
    fields: set[str] = set()
    for op in operations:
        for key in ("path", "from"):
            if key in op:
                fields.add(_parse_pointer(op[key])[0])
    return fields
