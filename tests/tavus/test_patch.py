from __future__ import annotations

from typing import Any

import pytest

from bot.tavus.patch import add, check_operations, is_idempotent, remove, replace


def test_builders_make_rfc_6902_operations() -> None:
    assert replace("/a", 1) == {"op": "replace", "path": "/a", "value": 1}
    assert add("/a", None) == {"op": "add", "path": "/a", "value": None}
    assert remove("/a") == {"op": "remove", "path": "/a"}


def test_check_operations_accepts_every_op() -> None:
    operations: list[Any] = [
        replace("/a", 1),
        add("/b", [1]),
        remove("/c"),
        {"op": "test", "path": "/a", "value": 1},
        {"op": "copy", "from": "/a", "path": "/d"},
        {"op": "move", "from": "/d", "path": "/e"},
    ]

    assert check_operations(operations) == operations


@pytest.mark.parametrize(
    ("operations", "match"),
    [
        ([], "at least one"),
        ([{"op": "merge", "path": "/a"}], "op must be one of"),
        ([{"op": "replace", "path": "a", "value": 1}], "JSON Pointer"),
        ([{"op": "add", "path": "/a"}], "needs a value"),
        ([{"op": "remove", "path": "/a", "value": 1}], "takes no value"),
        ([{"op": "move", "path": "/a"}], "from must be"),
    ],
)
def test_check_operations_refuses(operations: list[Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        check_operations(operations)


def test_check_operations_refuses_a_single_operation() -> None:
    with pytest.raises(TypeError):
        check_operations(replace("/a", 1))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("operations", "idempotent"),
    [
        ([replace("/a", 1), {"op": "test", "path": "/a", "value": 1}], True),
        ([add("/layers/llm/model", "x")], True),
        ([add("/document_ids/-", "d1")], False),
        ([add("/document_ids/0", "d1")], False),
        ([replace("/a", 1), remove("/b")], False),
        ([{"op": "copy", "from": "/a", "path": "/b"}], False),
    ],
)
def test_is_idempotent(operations: list[Any], idempotent: bool) -> None:
    assert is_idempotent(operations) is idempotent
