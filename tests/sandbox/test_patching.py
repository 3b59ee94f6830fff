"""RFC 6902 as the sandbox's PATCH routes apply it (the `jsonpatch` library underneath)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox.errors import ApiError
from bot.sandbox.patching import PatchError, apply_patch, not_in, patch_document, touched_fields

DOC: dict[str, Any] = {"id": "x1", "name": "Coach", "tags": ["a", "b"], "layers": {"stt": {}}}


@pytest.mark.parametrize(
    "operations",
    [
        {"op": "replace", "path": "/name", "value": "y"},  # not a list
        '[{"op": "remove", "path": "/name"}]',  # a string, even of valid JSON
        [{"op": "add", "path": "/name"}],  # add needs a value
        [{"op": "replace", "path": "/name"}],  # so does replace
        [{"op": "test", "path": "/name"}],  # and test
        [{"op": "replace", "path": "/missing", "value": 1}],  # replace needs an existing path
        [{"op": "remove", "path": "/missing"}],
        [{"op": "add", "path": "/layers/llm/model", "value": "m"}],  # no parent
        [{"op": "add", "path": "/tags/9", "value": "c"}],  # past the end of a list
        [{"op": "move", "path": "/title"}],  # move needs a from
        [{"op": "copy", "from": "/missing", "path": "/title"}],
        [{"op": "jump", "path": "/name"}],
        [{"path": "/name", "value": 1}],
        [{"op": "add", "path": "name", "value": 1}],  # a pointer starts with /
        [{"op": "add", "path": 3, "value": 1}],
        ["remove /name"],
        [{"op": "test", "path": "/name", "value": "Other"}],  # a failed test fails it all
    ],
)
def test_refused_patches(operations: Any) -> None:
    with pytest.raises(PatchError):
        apply_patch(DOC, operations)


def test_every_operation_applies_in_order_on_a_copy() -> None:
    operations = [
        {"op": "test", "path": "/name", "value": "Coach"},
        {"op": "add", "path": "/layers/llm", "value": {"model": "m"}},
        {"op": "add", "path": "/tags/-", "value": "c"},
        {"op": "add", "path": "/tags/0", "value": "first"},
        {"op": "remove", "path": "/tags/1"},
        {"op": "copy", "from": "/name", "path": "/title"},
        {"op": "move", "from": "/layers/stt", "path": "/stt"},
        {"op": "replace", "path": "/name", "value": None},
    ]

    patched = apply_patch(DOC, operations)

    assert patched == {
        "id": "x1",
        "name": None,
        "tags": ["first", "b", "c"],
        "layers": {"llm": {"model": "m"}},
        "title": "Coach",
        "stt": {},
    }
    assert DOC["tags"] == ["a", "b"] and DOC["layers"] == {"stt": {}}


def test_a_failing_operation_leaves_the_document_untouched() -> None:
    operations = [
        {"op": "replace", "path": "/name", "value": "New"},
        {"op": "remove", "path": "/missing"},
    ]

    with pytest.raises(PatchError):
        apply_patch(DOC, operations)
    assert DOC["name"] == "Coach"


def test_touched_fields_are_paths_and_moved_sources_but_not_tests_or_copied_sources() -> None:
    operations = [
        {"op": "test", "path": "/id", "value": "x1"},
        {"op": "copy", "from": "/id", "path": "/title"},
        {"op": "move", "from": "/tags", "path": "/labels/0"},
        {"op": "remove", "path": "/layers/stt"},
        {"op": "replace", "path": "", "value": {}},
    ]

    assert touched_fields(operations) == {"title", "tags", "labels", "layers", ""}


def test_patch_document_answers_like_tavus() -> None:
    writable = not_in({"id"})
    bad = [{"op": "remove", "path": "/missing"}]
    read_only = [{"op": "replace", "path": "/id", "value": "x2"}]
    whole = [{"op": "replace", "path": "", "value": {"name": "Coach"}}]
    same = [{"op": "replace", "path": "/name", "value": "Coach"}]

    with pytest.raises(ApiError) as invalid:
        patch_document(DOC, bad, writable=writable)
    with pytest.raises(ApiError) as refused:
        patch_document(DOC, read_only, writable=writable)
    with pytest.raises(ApiError) as replaced:
        patch_document(DOC, whole, writable=writable)

    assert (invalid.value.status, invalid.value.body) == (
        422,
        {"message": "Invalid JSON patch format"},
    )
    assert (refused.value.status, refused.value.body) == (400, {"error": "Cannot modify id"})
    assert replaced.value.status == 400
    assert patch_document(DOC, same, writable=writable) is None


def test_patch_document_rewrites_before_applying() -> None:
    def rename(operations: list[Any]) -> list[Any]:
        return [{**op, "path": "/name"} for op in operations]

    patched = patch_document(
        DOC,
        [{"op": "replace", "path": "/alias", "value": "Mentor"}],
        writable=not_in({"id"}),
        rewrite=rename,
    )

    assert patched is not None and patched["name"] == "Mentor"
