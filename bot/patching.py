"""What an edit changed, as RFC 6902 JSON Patch operations: any family edited with PATCH.

Personas, objectives, guardrails and pronunciation dictionaries are edited by sending
operations, not the new object. The edit forms build the whole new document from the one
GET answered (same shape: Tavus says paths must match the current document), and ``diff``
turns the pair into operations: only ``add``, ``remove`` and ``replace``, one per changed
member, so an unchanged field is never sent and nothing is moved or copied.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.tavus.patch import PatchOperation, add, remove, replace


def pointer(base: str, token: str | int) -> str:
    """``base`` extended by one RFC 6901 reference token (``~`` and ``/`` escaped)."""
    return f"{base}/{str(token).replace('~', '~0').replace('/', '~1')}"


def diff(old: Any, new: Any, path: str = "") -> list[PatchOperation]:
    """The operations that turn ``old`` into ``new``; empty when they are the same.

    Objects are compared member by member. A list of objects is compared item by item
    (items past the shorter list are added in order, or removed from the end first, so
    every index is right when its operation runs); a list of plain values is replaced
    whole, which reads better and is safe to send twice."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        return _diff_objects(old, new, path)
    if isinstance(old, list) and isinstance(new, list) and not (_flat(old) and _flat(new)):
        return _diff_lists(old, new, path)
    if same(old, new):
        return []
    if not path:
        raise ValueError("diff compares two objects (or two lists of objects)")
    return [replace(path, new)]


def same(old: Any, new: Any) -> bool:
    """JSON equality: ``1`` is not ``true`` and ``1`` is not ``"1"`` (Python says 1 == True)."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        return old.keys() == new.keys() and all(same(old[k], new[k]) for k in old)
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(same(a, b) for a, b in zip(old, new, strict=True))
    return type(old) is type(new) and old == new


def _diff_objects(
    old: Mapping[str, Any], new: Mapping[str, Any], path: str
) -> list[PatchOperation]:
    operations: list[PatchOperation] = []
    for key in old:
        if key not in new:
            operations.append(remove(pointer(path, key)))
        else:
            operations.extend(diff(old[key], new[key], pointer(path, key)))
    operations.extend(add(pointer(path, key), new[key]) for key in new if key not in old)
    return operations


def _diff_lists(old: Sequence[Any], new: Sequence[Any], path: str) -> list[PatchOperation]:
    common = min(len(old), len(new))
    operations: list[PatchOperation] = []
    for index in range(common):
        operations.extend(diff(old[index], new[index], pointer(path, index)))
    operations.extend(add(pointer(path, index), new[index]) for index in range(common, len(new)))
    operations.extend(remove(pointer(path, index)) for index in reversed(range(common, len(old))))
    return operations


def _flat(values: Sequence[Any]) -> bool:
    return not any(isinstance(value, Mapping | list) for value in values)


def member_changes(
    before: Sequence[Mapping[str, Any]],
    after: Sequence[Mapping[str, Any]],
    *,
    key: str,
    noun: str,
) -> list[str]:
    """What an edit did to a set's members, in words, matched by name (``key``), not by
    position: "added objective wrap_up", "changed the objective prompt of greet"."""
    old = {str(m.get(key)): m for m in before}
    new = {str(m.get(key)): m for m in after}
    changes = [f"removed {noun} {name}" for name in old if name not in new]
    for name, member in new.items():
        if name not in old:
            changes.append(f"added {noun} {name}")
            continue
        fields = [f for f in {**old[name], **member} if not same(old[name].get(f), member.get(f))]
        changes.extend(f"changed the {f.replace('_', ' ')} of {name}" for f in fields)
    kept_old = [name for name in old if name in new]
    kept_new = [name for name in new if name in old]
    if kept_old != kept_new:
        changes.append(f"put the {noun}s in a new order")
    return changes
