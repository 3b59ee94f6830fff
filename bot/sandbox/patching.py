"""RFC 6902 JSON Patch for Tavus's PATCH routes (personas, objectives, guardrails,
pronunciation dictionaries), answered as Tavus does.

The operations are applied by the `jsonpatch` library: `value` is required except for
`remove`, `replace` and `remove` need an existing path, `copy` and `move` a `from`, a failed
`test` fails the whole patch. A malformed patch or a missing path answers 422
`{"message": "Invalid JSON patch format"}`; a patch touching a read-only field answers 400;
a patch that changes nothing answers 304 (`patch_document` returns None).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import jsonpatch
import jsonpointer

from bot.sandbox.errors import ApiError, bad_request

INVALID_PATCH = "Invalid JSON patch format"
# What the library raises for a malformed patch, a missing path or a failed test.
PATCH_ERRORS = (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException)


class PatchError(ValueError):
    pass


def apply_patch(document: dict[str, Any], operations: Any) -> dict[str, Any]:
    """A patched copy of `document`; the original is untouched even when an operation fails."""
    # A str would be parsed as JSON by the library, a dict iterated as its keys.
    if not isinstance(operations, list):
        raise PatchError("A JSON patch is a list of operations")
    try:
        patched = jsonpatch.JsonPatch(operations).apply(document, in_place=False)
    except PATCH_ERRORS as exc:
        raise PatchError(str(exc)) from exc
    if not isinstance(patched, dict):
        raise PatchError("A patch cannot replace the document with a non-object")
    return patched


def touched_fields(operations: list[dict[str, Any]]) -> set[str]:
    """Top-level fields an (already valid) patch writes: each `path` but a `test`'s, and a
    `move`'s `from`.

    The empty path (the whole document) touches every field: it is reported as `""`.
    """
    fields: set[str] = set()
    for op in operations:
        if op["op"] == "test":
            continue
        pointers = [op["path"], op["from"]] if op["op"] == "move" else [op["path"]]
        for pointer in pointers:
            parts = jsonpointer.JsonPointer(pointer).parts
            fields.add(parts[0] if parts else "")
    return fields


def patch_document(
    document: dict[str, Any],
    operations: Any,
    *,
    writable: Callable[[str], bool],
    rewrite: Callable[[list[Any]], list[Any]] | None = None,
) -> dict[str, Any] | None:
    """The patched copy, or None when the patch changes nothing (answer 304).

    `writable(field)` says whether a top-level field may change; `rewrite` maps the
    operations before they apply (e.g. a path spelled another way).
    """
    if rewrite is not None and isinstance(operations, list):
        operations = rewrite(operations)
    try:
        patched = apply_patch(document, operations)
    except PatchError as exc:
        raise ApiError(422, {"message": INVALID_PATCH}) from exc
    refused = sorted(field or "/" for field in touched_fields(operations) if not writable(field))
    if refused:
        raise bad_request(f"Cannot modify {', '.join(refused)}")
    return None if patched == document else patched


def not_in(read_only: Collection[str]) -> Callable[[str], bool]:
    """`writable` for a document whose only read-only fields are `read_only`; the whole
    document (the empty path) is never writable."""
    return lambda field: field != "" and field not in read_only
