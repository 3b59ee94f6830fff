"""Objectives from Slack: create a set, and edit one with JSON Patch.

A set is created through the shared start sequence (``bot.jobs``) with no card: it gets its
own callback token, and every objective carries the URL built on it, so Tavus's completion
callbacks reach the app and land in the thread of the call that reached them. Nothing is
polled, so the set is stored finished.

An edit builds the whole new set from the one Tavus shows (in the shape GET answered: Tavus
says patch paths must match it) and sends only what changed (``bot.patching.diff``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot import patching
from bot.blocks import pickers
from bot.domain import objectives as domain
from bot.jobs import Created, JobStarted, start_job
from bot.services import Services
from bot.tavus import ObjectiveSet, ObjectiveSpec, Patched

logger = logging.getLogger(__name__)

LIST_SHAPE, OBJECT_SHAPE, FLAT_SHAPE = "list", "object", "flat"
_PLURAL_NEXT = "next_required_objectives"  # the docs page's list; the spec's is singular
_SINGULAR_NEXT = "next_required_objective"


@dataclass(frozen=True)
class ObjectiveDraft:
    """One objective as the form gave it, checked."""

    name: str
    prompt: str
    confirmation_mode: str = domain.CONFIRMATION_MODES[0]
    modality: str = domain.MODALITIES[0]
    output_variables: tuple[str, ...] = ()
    next_objective: str | None = None
    branches: tuple[tuple[str, str], ...] = ()  # (objective name, when to go there)


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
    if draft.next_objective:
        objective["next_required_objective"] = draft.next_objective
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


@dataclass(frozen=True)
class Edited:
    objectives_id: str
    changes: tuple[str, ...]  # what changed, in words (``bot.patching.member_changes``)
    patched: Patched | None  # None: nothing was sent, nothing had changed


async def edit_objectives(
    services: Services, objectives_id: str, drafts: Sequence[ObjectiveDraft]
) -> Edited:
    """Raises TavusError (NotFound if the set is gone), or ValueError when the form's
    objectives cannot replace the set's (more than one where GET showed one)."""
    found = await services.tavus.objectives.get(objectives_id)
    resource = await services.store.get_resource(kind=domain.KIND, tavus_id=objectives_id)
    callback_url = None
    if resource is not None and resource.callback_token:
        callback_url = services.settings.callback_url(resource.callback_token)
    items = edited_items(found, drafts, callback_url)
    operations = patching.diff(found.raw, with_items(found, items))
    changes = patching.member_changes(
        [o.raw for o in found.objectives], items, key="objective_name", noun="objective"
    )
    if not operations:
        return Edited(objectives_id, (), None)
    patched = await services.tavus.objectives.patch(objectives_id, operations)
    services.choices.forget(pickers.cache_key(pickers.OBJECTIVES_PICKER))
    if resource is not None:
        await services.store.update_resource(
            resource_id=resource.id, details={"objective_names": [d.name for d in drafts]}
        )
    logger.info("edited objectives %s: %d operations", objectives_id, len(operations))
    return Edited(objectives_id, tuple(changes), patched)


def edited_document(
    found: ObjectiveSet, drafts: Sequence[ObjectiveDraft], callback_url: str | None
) -> dict[str, Any]:
    """The set as GET showed it, with the form's objectives in place of its own."""
    return with_items(found, edited_items(found, drafts, callback_url))


def edited_items(
    found: ObjectiveSet, drafts: Sequence[ObjectiveDraft], callback_url: str | None
) -> list[dict[str, Any]]:
    """The form's objectives, each over the objective Tavus has by that name (else the one
    in its place, if no objective of the form takes that one's name), so that what the form
    does not show stays with its objective.

    A new objective gets ``callback_url`` (ours, for a set created here), else the URL the
    set's first objective reports to, so that its completions go where the others' do."""
    if shape_of(found) != LIST_SHAPE and len(drafts) != 1:
        raise ValueError("Tavus showed one objective of this set: edit that one only")
    old = [dict(o.raw) for o in found.objectives]
    names = [o.objective_name for o in found.objectives]
    taken = {draft.name for draft in drafts}
    url = callback_url or next((o.callback_url for o in found.objectives if o.callback_url), None)

    def base(index: int, draft: ObjectiveDraft) -> dict[str, Any]:
        if draft.name in names:
            return old[names.index(draft.name)]
        return old[index] if index < len(old) and names[index] not in taken else {}

    return [merged(base(i, draft), draft, url) for i, draft in enumerate(drafts)]


def with_items(found: ObjectiveSet, items: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The document GET answered, holding ``items`` in the same shape."""
    shape = shape_of(found)
    if shape == LIST_SHAPE:
        return {**found.raw, "data": list(items)}
    if shape == OBJECT_SHAPE:
        return {**found.raw, "data": items[0]}
    return dict(items[0])


def merged(
    old: Mapping[str, Any], draft: ObjectiveDraft, callback_url: str | None
) -> dict[str, Any]:
    """``old`` (an objective as Tavus sent it) with the form's values; what the form does not
    show (its own ids, dates...) is kept as it was."""
    item = dict(old)
    item["objective_name"] = draft.name
    item["objective_prompt"] = draft.prompt
    item["confirmation_mode"] = draft.confirmation_mode
    item["modality"] = draft.modality
    _put(item, "output_variables", list(draft.output_variables))
    plural = _PLURAL_NEXT in old and _SINGULAR_NEXT not in old
    if plural:
        _put(item, _PLURAL_NEXT, [draft.next_objective] if draft.next_objective else [])
    else:
        _put(item, _SINGULAR_NEXT, draft.next_objective)
    _put(item, "next_conditional_objectives", dict(draft.branches))
    if callback_url and not old.get("callback_url"):
        item["callback_url"] = callback_url
    return item


def _put(item: dict[str, Any], key: str, value: Any) -> None:
    """Set a field, or clear it: an empty value removes the field, unless it was already
    there empty (null, [] or {}), which is left alone rather than sent as a change."""
    if value:
        item[key] = value
    elif item.get(key):
        del item[key]
