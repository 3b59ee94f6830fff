"""Objectives from Slack: create a set, and edit one with JSON Patch.

A set is created through the shared start sequence (``bot.jobs``) with no card: it gets its
own callback token, and every objective carries the URL built on it, so Tavus's completion
callbacks reach the app and land in the thread of the call that reached them. Nothing is
polled, so the set is stored finished.

An edit sends only what the user changed in the form. The form is opened on the set as GET
answered it and remembers its ``version``; at save time the set is read again and the edit is
refused if that version changed (a colleague's edit is never reverted), so the set read then
is the one the form showed. Each objective of the form is compared field by field with the
values it was shown with (``ObjectiveDraft.of``): only a field that differs is written, over
the objective Tavus has in that place, and the new document (in the shape GET answered: Tavus
says patch paths must match it) becomes operations with ``bot.patching.diff``. A field the
form could not show whole is left out of it, so it arrives unchanged and is never written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from bot import patching
from bot.blocks import pickers
from bot.domain import objectives as domain
from bot.events.base import fingerprint
from bot.jobs import Created, JobStarted, start_job
from bot.services import Services
from bot.tavus import Objective, ObjectiveSet, ObjectiveSpec, Patched

logger = logging.getLogger(__name__)

LIST_SHAPE, OBJECT_SHAPE, FLAT_SHAPE = "list", "object", "flat"
_PLURAL_NEXT = "next_required_objectives"  # the docs page's list; the spec's is singular
_SINGULAR_NEXT = "next_required_objective"


@dataclass(frozen=True)
class ObjectiveDraft:
    """One objective as the form gave it, checked; or as Tavus has it, as the form shows it."""

    name: str
    prompt: str
    confirmation_mode: str = domain.CONFIRMATION_MODES[0]
    modality: str = domain.MODALITIES[0]
    output_variables: tuple[str, ...] = ()
    next_objectives: tuple[str, ...] = ()  # one, unless the objective holds a list (``many``)
    branches: tuple[tuple[str, str], ...] = ()  # (objective name, when to go there)

    @classmethod
    def of(cls, objective: Objective) -> ObjectiveDraft:
        """The values the edit form shows for ``objective``: text stripped (the form reads
        it back stripped), menus at what they show when Tavus sent nothing."""
        return cls(
            name=objective.objective_name.strip(),
            prompt=(objective.objective_prompt or "").strip(),
            confirmation_mode=objective.confirmation_mode or domain.CONFIRMATION_MODES[0],
            modality=objective.modality or domain.MODALITIES[0],
            output_variables=objective.output_variables,
            next_objectives=objective.next_required_objectives,
            branches=tuple(objective.next_conditional_objectives.items()),
        )


FIELDS = tuple(f.name for f in fields(ObjectiveDraft))


@dataclass(frozen=True)
class Slot:
    """One objective of a submitted edit form: ``index`` is its place in the form, which
    shows the set's objectives in order (a place past them is a new objective)."""

    index: int
    draft: ObjectiveDraft


def many(objective: Objective) -> bool:
    """Whether the objective's next objectives are a list (the docs page's form), so the
    form may give several; the spec's singular field holds one name."""
    key = _next_key(objective.raw)
    return key == _PLURAL_NEXT or isinstance(objective.raw.get(key), list)


def _next_key(item: Mapping[str, Any]) -> str:
    """The field an objective keeps its next objectives in: the spec's singular one, unless
    it holds nothing and the docs page's list is there."""
    if item.get(_SINGULAR_NEXT) or _PLURAL_NEXT not in item:
        return _SINGULAR_NEXT
    return _PLURAL_NEXT


def version(found: ObjectiveSet) -> str:
    """A fingerprint of the set as GET answered it: it differs once anything changed."""
    return fingerprint(found.raw)


@dataclass(frozen=True)
class ObjectivesRequest:
    team_id: str
    user_id: str
    channel_id: str | None  # where a completion goes when its call is not one of ours
    objectives: tuple[ObjectiveDraft, ...]


async def create_objectives(services: Services, request: ObjectivesRequest) -> JobStarted:
    """Raises TavusError when Tavus refuses (nothing is kept), or jobs.OutcomeUnknown."""

    async def create(callback_url: str | None) -> Created:
        specs = [spec(draft, callback_url) for draft in request.objectives]
        created = await services.tavus.objectives.create(specs)
        services.choices.forget(pickers.cache_key(pickers.OBJECTIVES_PICKER))
        return Created(
            tavus_id=created.objectives_id,
            status=domain.ACTIVE,
            details={"objective_names": [d.name for d in request.objectives]},
            finished=True,  # nothing to poll; callbacks are still taken
        )

    return await start_job(
        services,
        kind=domain.KIND,
        team_id=request.team_id,
        owner_user_id=request.user_id,
        channel_id=request.channel_id,
        create=create,
        card=False,
    )


def spec(draft: ObjectiveDraft, callback_url: str | None) -> ObjectiveSpec:
    objective: ObjectiveSpec = {
        "objective_name": draft.name,
        "objective_prompt": draft.prompt,
        "confirmation_mode": draft.confirmation_mode,  # type: ignore[typeddict-item]
        "modality": draft.modality,  # type: ignore[typeddict-item]
    }
    if draft.output_variables:
        objective["output_variables"] = list(draft.output_variables)
    if len(draft.next_objectives) > 1:  # the form takes one for a new objective
        raise ValueError("a new objective takes one next objective")
    if draft.next_objectives:
        objective["next_required_objective"] = draft.next_objectives[0]
    if draft.branches:
        objective["next_conditional_objectives"] = dict(draft.branches)
    if callback_url:
        objective["callback_url"] = callback_url
    return objective


# -- editing ---------------------------------------------------------------------------------


def shape_of(found: ObjectiveSet) -> str:
    """How GET showed the set: its objectives in a `data` list, one in a `data` object, or
    the objective itself. Only a list can take more objectives or lose some."""
    data = found.raw.get("data")
    if isinstance(data, list):
        return LIST_SHAPE
    return OBJECT_SHAPE if isinstance(data, Mapping) else FLAT_SHAPE


class SetChanged(Exception):
    """The set changed in Tavus since the form opened: nothing was sent."""


@dataclass(frozen=True)
class Edited:
    objectives_id: str
    changes: tuple[str, ...]  # what changed, in words (``bot.patching.member_changes``)
    patched: Patched | None  # None: nothing was sent, nothing had changed


async def edit_objectives(
    services: Services, found: ObjectiveSet, slots: Sequence[Slot], *, opened: str
) -> Edited:
    """Sends what the form changed in ``found`` (the set as GET answers it now). Raises
    SetChanged (nothing sent) when ``found`` is not the ``version`` the form ``opened`` on,
    TavusError, or ValueError when the form's objectives cannot replace the set's."""
    if version(found) != opened:
        raise SetChanged(found.objectives_id)
    objectives_id = found.objectives_id
    resource = await services.store.get_resource(kind=domain.KIND, tavus_id=objectives_id)
    callback_url = None
    if resource is not None and resource.callback_token:
        callback_url = services.settings.callback_url(resource.callback_token)
    items = edited_items(found, slots, callback_url)
    operations = patching.diff(found.raw, with_items(found, items))
    if not operations:
        return Edited(objectives_id, (), None)
    changes = patching.member_changes(
        [o.raw for o in found.objectives], items, key="objective_name", noun="objective"
    )
    patched = await services.tavus.objectives.patch(objectives_id, operations)
    services.choices.forget(pickers.cache_key(pickers.OBJECTIVES_PICKER))
    if resource is not None:
        names = [slot.draft.name for slot in slots]
        await services.store.update_resource(
            resource_id=resource.id, details={"objective_names": names}
        )
    logger.info("edited objectives %s: %d operations", objectives_id, len(operations))
    return Edited(objectives_id, tuple(changes), patched)


def edited_document(
    found: ObjectiveSet, slots: Sequence[Slot], callback_url: str | None
) -> dict[str, Any]:
    """The set as GET showed it, with the form's changes."""
    return with_items(found, edited_items(found, slots, callback_url))


def edited_items(
    found: ObjectiveSet, slots: Sequence[Slot], callback_url: str | None
) -> list[dict[str, Any]]:
    """The set's objectives after the form: each slot over the objective shown in its place,
    with only the fields the user changed written (``changed``); a slot past them is a new
    objective, and an objective whose slot the user emptied is gone.

    A new objective gets ``callback_url`` (ours, for a set created here), else the URL the
    set's first objective reports to, so that its completions go where the others' do."""
    if shape_of(found) != LIST_SHAPE and [slot.index for slot in slots] != [0]:
        raise ValueError("Tavus showed one objective of this set: edit that one only")
    objectives = found.objectives
    url = callback_url or next((o.callback_url for o in objectives if o.callback_url), None)
    return [
        changed(objectives[slot.index], slot.draft)
        if slot.index < len(objectives)
        else spec_item(slot.draft, url)
        for slot in slots
    ]


def spec_item(draft: ObjectiveDraft, callback_url: str | None) -> dict[str, Any]:
    return dict(spec(draft, callback_url))


def with_items(found: ObjectiveSet, items: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The document GET answered, holding ``items`` in the same shape."""
    shape = shape_of(found)
    if shape == LIST_SHAPE:
        return {**found.raw, "data": list(items)}
    if shape == OBJECT_SHAPE:
        return {**found.raw, "data": items[0]}
    return dict(items[0])


def changed(objective: Objective, draft: ObjectiveDraft) -> dict[str, Any]:
    """The objective as Tavus sent it, with each field the form changed written: a field
    equal to what the form showed (``ObjectiveDraft.of``) is left exactly as it was."""
    shown = ObjectiveDraft.of(objective)
    item = dict(objective.raw)
    for name in FIELDS:
        value = getattr(draft, name)
        if value != getattr(shown, name):
            _WRITERS[name](item, value)
    return item


def _write_next(item: dict[str, Any], names: tuple[str, ...]) -> None:
    """In the field the objective already uses (``_next_key``); several names only where
    it holds a list."""
    key = _next_key(item)
    if key == _PLURAL_NEXT or isinstance(item.get(key), list):
        _put(item, key, list(names))
    elif len(names) > 1:
        raise ValueError("This objective takes one next objective.")
    else:
        _put(item, key, names[0] if names else None)


_WRITERS: dict[str, Callable[[dict[str, Any], Any], None]] = {
    "name": lambda item, value: item.__setitem__("objective_name", value),
    "prompt": lambda item, value: item.__setitem__("objective_prompt", value),
    "confirmation_mode": lambda item, value: item.__setitem__("confirmation_mode", value),
    "modality": lambda item, value: item.__setitem__("modality", value),
    "output_variables": lambda item, value: _put(item, "output_variables", list(value)),
    "next_objectives": _write_next,
    "branches": lambda item, value: _put(item, "next_conditional_objectives", dict(value)),
}


def _put(item: dict[str, Any], key: str, value: Any) -> None:
    """Set a field, or clear it: an empty value removes the field, unless it was already
    there empty (null, [] or {}), which is left alone rather than sent as a change."""
    if value:
        item[key] = value
    elif item.get(key):
        del item[key]
