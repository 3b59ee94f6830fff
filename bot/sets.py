"""Editing a set (objectives, guardrails) from its form: what both families share.

A set is a list of members created together under one id. An edit sends only what the user
changed in the form. The form is opened on the set as GET answered it and remembers its
``version``; at save time the set is read again and the edit is refused if that version
changed (a colleague's edit is never reverted), so the set read then is the one the form
showed. Each member of the form is compared field by field with the values it was shown with
(the family's ``Draft.of``): only a field that differs is written, over the member Tavus has
in that place, and the new document (in the shape GET answered: Tavus says patch paths must
match it) becomes operations with ``bot.patching.diff``. A field the form could not show
whole is left out of it, so it arrives unchanged and is never written.

What differs between families is a row, ``SetKind``: how a member is shown, changed and
created, and which Tavus client patches the set.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from bot import patching
from bot.blocks import pickers
from bot.domain.nouns import BY_KIND
from bot.events.base import fingerprint
from bot.services import Services
from bot.tavus import Patched
from bot.tavus.patch import PatchOperation

logger = logging.getLogger(__name__)

LIST_SHAPE, OBJECT_SHAPE, FLAT_SHAPE = "list", "object", "flat"

D = TypeVar("D")  # a member as the form gives it (the family's draft)
M = TypeVar("M", bound="Member")  # a member as Tavus sent it


class Member(Protocol):
    @property
    def callback_url(self) -> str | None: ...

    @property
    def raw(self) -> dict[str, Any]: ...


class Patcher(Protocol):
    async def patch(self, set_id: str, operations: Sequence[PatchOperation], /) -> Patched: ...


class SetChanged(Exception):
    """The set changed in Tavus since the form opened: nothing was sent."""


@dataclass(frozen=True)
class Slot(Generic[D]):
    """One member of a submitted edit form: ``index`` is its place in the form, which shows
    the set's members in order (a place past them is a new member)."""

    index: int
    draft: D


@dataclass(frozen=True)
class Edited:
    set_id: str
    changes: tuple[str, ...]  # what changed, in words (``bot.patching.member_changes``)
    patched: Patched | None  # None: nothing was sent, nothing had changed


@dataclass(frozen=True)
class SetKind(Generic[M, D]):
    """One family's row: what ``edited_items`` and ``send_edit`` need to know of it."""

    kind: str
    noun: str  # one member, in words: "objective"
    name_key: str  # the member field that names it: "objective_name"
    names_detail: str  # the stored resource detail listing the members' names
    picker: str  # the picker whose cached choices an edit makes stale
    changed: Callable[[M, D], dict[str, Any]]  # a member with the form's changes written
    new_member: Callable[[D, str | None], dict[str, Any]]  # a new member, with a callback URL
    name_of: Callable[[D], str]
    client: Callable[[Services], Patcher]


def version(raw: Mapping[str, Any]) -> str:
    """A fingerprint of the set as GET answered it: it differs once anything changed."""
    return fingerprint(raw)


def shape_of(raw: Mapping[str, Any]) -> str:
    """How GET showed the set: its members in a `data` list, one in a `data` object, or the
    member itself. Only a list can take more members or lose some."""
    data = raw.get("data")
    if isinstance(data, list):
        return LIST_SHAPE
    return OBJECT_SHAPE if isinstance(data, Mapping) else FLAT_SHAPE


def in_shape(raw: Mapping[str, Any], items: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The document GET answered (``raw``), holding ``items`` in the same shape."""
    shape = shape_of(raw)
    if shape == LIST_SHAPE:
        return {**raw, "data": list(items)}
    if shape == OBJECT_SHAPE:
        return {**raw, "data": items[0]}
    return dict(items[0])


def edited_items(
    row: SetKind[M, D],
    raw: Mapping[str, Any],
    members: Sequence[M],
    slots: Sequence[Slot[D]],
    callback_url: str | None,
) -> list[dict[str, Any]]:
    """The set's members after the form: each slot over the member shown in its place, with
    only the fields the user changed written; a slot past them is a new member, and a member
    whose slot the user emptied is gone.

    A new member gets ``callback_url`` (ours, for a set created here), else the URL the set's
    first member reports to, so that its callbacks go where the others' do."""
    if shape_of(raw) != LIST_SHAPE and [slot.index for slot in slots] != [0]:
        raise ValueError(f"Tavus showed one {row.noun} of this set: edit that one only")
    url = callback_url or next((m.callback_url for m in members if m.callback_url), None)
    return [
        row.changed(members[slot.index], slot.draft)
        if slot.index < len(members)
        else row.new_member(slot.draft, url)
        for slot in slots
    ]


async def send_edit(
    services: Services,
    row: SetKind[M, D],
    *,
    set_id: str,
    before: Sequence[M],
    slots: Sequence[Slot[D]],
    raw: Mapping[str, Any],
    document: Callable[[list[dict[str, Any]]], dict[str, Any]],
    name: str | None = None,
    renamed: bool = False,
) -> Edited:
    """Patches set ``set_id`` (``raw`` as GET answers it now, holding ``before``) into what
    ``document`` makes of the edited members. ``name``: the set's name after the edit, kept
    with the resource; ``renamed``: the form changed it. Raises TavusError, or ValueError
    when the form's members cannot replace the set's."""
    resource = await services.store.get_resource(kind=row.kind, tavus_id=set_id)
    callback_url = None
    if resource is not None and resource.callback_token:
        callback_url = services.settings.callback_url(resource.callback_token)
    items = edited_items(row, raw, before, slots, callback_url)
    operations = patching.diff(raw, document(items))
    if not operations:
        return Edited(set_id, (), None)
    changes = patching.member_changes(
        [member.raw for member in before], items, key=row.name_key, noun=row.noun
    )
    if renamed:
        changes.insert(0, f"renamed the set to {name}")
    patched = await row.client(services).patch(set_id, operations)
    services.choices.forget(pickers.cache_key(row.picker))
    if resource is not None:
        details = {row.names_detail: [row.name_of(slot.draft) for slot in slots]}
        if name is None:
            await services.store.update_resource(resource_id=resource.id, details=details)
        else:
            await services.store.update_resource(
                resource_id=resource.id, name=name, details=details
            )
    logger.info("edited %s %s: %d operations", BY_KIND[row.kind].plural, set_id, len(operations))
    return Edited(set_id, tuple(changes), patched)
