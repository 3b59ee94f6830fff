"""Guardrails from Slack: create a named set, and edit one with JSON Patch.

Like objectives (``bot.objectives``): the set is created through the shared start sequence
with no card, each guardrail carrying the callback URL of the set's own token, so triggers
land in the thread of the call they happened in; an edit sends only what changed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot import patching
from bot.blocks import pickers
from bot.domain import guardrails as domain
from bot.jobs import Created, JobStarted, start_job
from bot.objectives import FLAT_SHAPE, LIST_SHAPE, OBJECT_SHAPE
from bot.services import Services
from bot.tavus import GuardrailSet, GuardrailSpec, Patched

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GuardrailDraft:
    """One guardrail as the form gave it, checked."""

    name: str
    prompt: str
    modality: str = domain.MODALITIES[0]


@dataclass(frozen=True)
class GuardrailsRequest:
    team_id: str
    user_id: str
    channel_id: str | None  # where a trigger goes when its call is not one of ours
    name: str
    guardrails: tuple[GuardrailDraft, ...]


async def create_guardrails(services: Services, request: GuardrailsRequest) -> JobStarted:
    """Raises TavusError when Tavus refuses (nothing is kept), or jobs.OutcomeUnknown."""

    async def create(callback_url: str | None) -> Created:
        specs = [spec(draft, callback_url) for draft in request.guardrails]
        created = await services.tavus.guardrails.create(name=request.name, guardrails=specs)
        services.choices.forget(pickers.cache_key(pickers.GUARDRAILS_PICKER))
        return Created(
            tavus_id=created.guardrails_id,
            status=domain.ACTIVE,
            name=created.name or request.name,
            details={"guardrail_names": [d.name for d in request.guardrails]},
            finished=True,  # nothing to poll; callbacks are still taken
        )

    return await start_job(
        services,
        kind=domain.KIND,
        team_id=request.team_id,
        owner_user_id=request.user_id,
        channel_id=request.channel_id,
        create=create,
        name=request.name,
        card=False,
    )


def spec(draft: GuardrailDraft, callback_url: str | None) -> GuardrailSpec:
    guardrail: GuardrailSpec = {
        "guardrail_name": draft.name,
        "guardrail_prompt": draft.prompt,
        "modality": draft.modality,  # type: ignore[typeddict-item]
    }
    if callback_url:
        guardrail["callback_url"] = callback_url
    return guardrail


# -- editing ---------------------------------------------------------------------------------


def shape_of(found: GuardrailSet) -> str:
    """As for objectives (``bot.objectives.shape_of``): only a `data` list can grow."""
    data = found.raw.get("data")
    if isinstance(data, list):
        return LIST_SHAPE
    return OBJECT_SHAPE if isinstance(data, Mapping) else FLAT_SHAPE


@dataclass(frozen=True)
class Edited:
    guardrails_id: str
    changes: tuple[str, ...]  # what changed, in words (``bot.patching.member_changes``)
    patched: Patched | None  # None: nothing was sent, nothing had changed


async def edit_guardrails(
    services: Services, guardrails_id: str, name: str, drafts: Sequence[GuardrailDraft]
) -> Edited:
    """Raises TavusError (NotFound if the set is gone), or ValueError when the form's
    guardrails cannot replace the set's (more than one where GET showed one)."""
    found = await services.tavus.guardrails.get(guardrails_id)
    resource = await services.store.get_resource(kind=domain.KIND, tavus_id=guardrails_id)
    callback_url = None
    if resource is not None and resource.callback_token:
        callback_url = services.settings.callback_url(resource.callback_token)
    items = edited_items(found, drafts, callback_url)
    operations = patching.diff(found.raw, with_items(found, name, items))
    changes = patching.member_changes(
        [g.raw for g in found.guardrails], items, key="guardrail_name", noun="guardrail"
    )
    if name != found.name and shape_of(found) != FLAT_SHAPE:
        changes.insert(0, f"renamed the set to {name}")
    if not operations:
        return Edited(guardrails_id, (), None)
    patched = await services.tavus.guardrails.patch(guardrails_id, operations)
    services.choices.forget(pickers.cache_key(pickers.GUARDRAILS_PICKER))
    if resource is not None:
        await services.store.update_resource(
            resource_id=resource.id,
            name=name,
            details={"guardrail_names": [d.name for d in drafts]},
        )
    logger.info("edited guardrails %s: %d operations", guardrails_id, len(operations))
    return Edited(guardrails_id, tuple(changes), patched)


def edited_document(
    found: GuardrailSet, name: str, drafts: Sequence[GuardrailDraft], callback_url: str | None
) -> dict[str, Any]:
    """The set as GET showed it, with the form's name and guardrails in place of its own."""
    return with_items(found, name, edited_items(found, drafts, callback_url))


def edited_items(
    found: GuardrailSet, drafts: Sequence[GuardrailDraft], callback_url: str | None
) -> list[dict[str, Any]]:
    """Each of the form's guardrails over the one Tavus has by that name (else the one in its
    place, if no guardrail of the form takes that one's name), as for objectives; a new one
    reports where the set's others do when the set was not made here."""
    if shape_of(found) != LIST_SHAPE and len(drafts) != 1:
        raise ValueError("Tavus showed one guardrail of this set: edit that one only")
    old = [dict(g.raw) for g in found.guardrails]
    names = [g.guardrail_name for g in found.guardrails]
    taken = {draft.name for draft in drafts}
    url = callback_url or next((g.callback_url for g in found.guardrails if g.callback_url), None)

    def base(index: int, draft: GuardrailDraft) -> dict[str, Any]:
        if draft.name in names:
            return old[names.index(draft.name)]
        return old[index] if index < len(old) and names[index] not in taken else {}

    return [merged(base(i, draft), draft, url) for i, draft in enumerate(drafts)]


def with_items(
    found: GuardrailSet, name: str, items: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The document GET answered, holding ``name`` and ``items`` in the same shape."""
    shape = shape_of(found)
    if shape == FLAT_SHAPE:  # a newer single guardrail: its own name is the set's
        return dict(items[0])
    document = {**found.raw, "data": list(items) if shape == LIST_SHAPE else items[0]}
    if name != found.name or "name" in found.raw:
        document["name"] = name
    return document


def merged(
    old: Mapping[str, Any], draft: GuardrailDraft, callback_url: str | None
) -> dict[str, Any]:
    item = dict(old)
    # tavus-api.md's spelling, if Tavus ever answers with it: the path must match the document.
    misspelt = "guardrails_prompt" in old and "guardrail_prompt" not in old
    item["guardrail_name"] = draft.name
    item["guardrails_prompt" if misspelt else "guardrail_prompt"] = draft.prompt
    item["modality"] = draft.modality
    if callback_url and not old.get("callback_url"):
        item["callback_url"] = callback_url
    return item
