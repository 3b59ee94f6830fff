"""RFC 6902 JSON Patch operations for the PATCH endpoints that take them.

Personas, objectives, guardrails and pronunciation dictionaries are edited this way: a list
of `{op, path, value?}`. Tavus answers 304 when nothing changed and 422 `{"message"}` for a
patch it cannot apply (a `replace` of a path that does not exist, for one).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any, Literal, Required, TypedDict

__all__ = [
    "PatchOperation",
    "Patched",
    "add",
    "check_operations",
    "is_idempotent",
    "remove",
    "replace",
]

Op = Literal["add", "remove", "replace", "copy", "move", "test"]
OPS: tuple[str, ...] = ("add", "remove", "replace", "copy", "move", "test")
_NEEDS_VALUE = frozenset({"add", "replace", "test"})
_NEEDS_FROM = frozenset({"copy", "move"})

# `from` is a Python keyword, hence the functional form.
PatchOperation = TypedDict(
    "PatchOperation",
    {"op": Required[Op], "path": Required[str], "value": Any, "from": str},
    total=False,
)


class Patched(StrEnum):
    """What a PATCH did: Tavus answers 200 for a change and 304 for none."""

    CHANGED = "changed"
    NOT_MODIFIED = "not_modified"


def replace(path: str, value: Any) -> PatchOperation:
    """Change an existing field (Tavus answers 422 when `path` does not exist: use `add`)."""
    return {"op": "replace", "path": path, "value": value}


def add(path: str, value: Any) -> PatchOperation:
    return {"op": "add", "path": path, "value": value}


def remove(path: str) -> PatchOperation:
    return {"op": "remove", "path": path}


def _check_pointer(name: str, pointer: Any) -> None:
    if not isinstance(pointer, str) or not pointer.startswith("/"):
        raise ValueError(f"{name} must be a JSON Pointer starting with '/', got {pointer!r}")


def _check_operation(operation: PatchOperation) -> dict[str, Any]:
    op = operation.get("op")
    if op not in OPS:
        raise ValueError(f"op must be one of {', '.join(OPS)}, got {op!r}")
    _check_pointer("path", operation.get("path"))
    if op in _NEEDS_VALUE and "value" not in operation:
        raise ValueError(f"a {op} operation needs a value")
    if op == "remove" and "value" in operation:
        raise ValueError("a remove operation takes no value")
    if op in _NEEDS_FROM:
        _check_pointer("from", operation.get("from"))
    return dict(operation)


def check_operations(operations: Sequence[PatchOperation]) -> list[dict[str, Any]]:
    """The operations as a JSON body, or ValueError before anything is sent."""
    if isinstance(operations, dict):
        raise TypeError("expected a list of operations, got a single operation")
    if not operations:
        raise ValueError("a patch needs at least one operation")
    return [_check_operation(operation) for operation in operations]


def _appends(path: str) -> bool:
    """`/tags/-` or `/tags/3`: an `add` there inserts into a list, again on every retry."""
    last = path.rsplit("/", 1)[-1]
    return last == "-" or last.isdigit()


def is_idempotent(operations: Sequence[PatchOperation]) -> bool:
    """Safe to send twice: `replace`, `test`, and `add` of an object member.

    A repeated `remove`, `move` or `copy` fails (422) or acts twice after a first attempt
    that did land, so a patch holding one is never retried.
    """
    for operation in operations:
        op, path = operation["op"], operation["path"]
        if op in ("replace", "test"):
            continue
        if op == "add" and not _appends(path):
            continue
        return False
    return True
