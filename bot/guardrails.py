"""Guardrails from Slack: create a named set, and edit one with JSON Patch.

Like objectives (``bot.objectives``): the set is created through the shared start sequence
with no card, each guardrail carrying the callback URL of the set's own token, so triggers
land in the thread of the call they happened in. An edit sends only the fields the user
changed in the form, and nothing when the set changed in Tavus since the form opened (its
``version``), as for objectives.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot import patching
from bot.blocks import pickers
from bot.domain import guardrails as domain
from bot.events.base import fingerprint
from bot.jobs import Created, JobStarted, start_job
from bot.objectives import FLAT_SHAPE, LIST_SHAPE, OBJECT_SHAPE, SetChanged
from bot.services import Services
from bot.tavus import Guardrail, GuardrailSet, GuardrailSpec, Patched

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GuardrailDraft:
    """One guardrail as the form gave it, checked; or as Tavus has it, as the form shows it."""

    name: str
    prompt: str
    modality: str = domain.MODALITIES[0]

    @classmethod
    def of(cls, guardrail: Guardrail) -> GuardrailDraft:
        """The values the edit form shows: text stripped (as it reads it back), the menu at
        what it shows when Tavus sent nothing."""
        return cls(
            name=guardrail.guardrail_name.strip(),
            prompt=(guardrail.guardrail_prompt or "").strip(),
            modality=guardrail.modality or domain.MODALITIES[0],
        )


@dataclass(frozen=True)
class GuardrailSlot:
    """One guardrail of a submitted edit form: ``index`` is its place in the form, which
    shows the set's guardrails in order (a place past them is a new guardrail)."""

    index: int
    draft: GuardrailDraft


def set_name(found: GuardrailSet) -> str | None:
    """The set's name as the form shows it (and reads it back): stripped."""
    return (found.name or "").strip() or None


def version(found: GuardrailSet) -> str:
    """A fingerprint of the set as GET answered it: it differs once anything changed."""
    return fingerprint(found.raw)


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
    services: Services,
    found: GuardrailSet,
    name: str,
    slots: Sequence[GuardrailSlot],
    *,
    opened: str,
) -> Edited:
    """Sends what the form changed in ``found`` (the set as GET answers it now). Raises
    SetChanged (nothing sent) when ``found`` is not the ``version`` the form ``opened`` on,
    TavusError, or ValueError when the form's guardrails cannot replace the set's."""
    if version(found) != opened:
        raise SetChanged(found.guardrails_id)
    guardrails_id = found.guardrails_id
    resource = await services.store.get_resource(kind=domain.KIND, tavus_id=guardrails_id)
    callback_url = None
    if resource is not None and resource.callback_token:
        callback_url = services.settings.callback_url(resource.callback_token)
    items = edited_items(found, slots, callback_url)
    operations = patching.diff(found.raw, with_items(found, name, items))
    if not operations:
        return Edited(guardrails_id, (), None)
    changes = patching.member_changes(
        [g.raw for g in found.guardrails], items, key="guardrail_name", noun="guardrail"
    )
    if name != set_name(found) and shape_of(found) != FLAT_SHAPE:
        changes.insert(0, f"renamed the set to {name}")
    patched = await services.tavus.guardrails.patch(guardrails_id, operations)
    services.choices.forget(pickers.cache_key(pickers.GUARDRAILS_PICKER))
    if resource is not None:
        await services.store.update_resource(
            resource_id=resource.id,
            name=name,
            details={"guardrail_names": [slot.draft.name for slot in slots]},
        )
    logger.info("edited guardrails %s: %d operations", guardrails_id, len(operations))
    return Edited(guardrails_id, tuple(changes), patched)


def edited_document(
    found: GuardrailSet, name: str, slots: Sequence[GuardrailSlot], callback_url: str | None
) -> dict[str, Any]:
    """The set as GET showed it, with the form's changes."""
    return with_items(found, name, edited_items(found, slots, callback_url))


def edited_items(
    found: GuardrailSet, slots: Sequence[GuardrailSlot], callback_url: str | None
) -> list[dict[str, Any]]:
    """Each slot over the guardrail shown in its place, with only the fields the user
    changed written; a slot past them is a new guardrail (reporting where the set's others
    do when the set was not made here), and a guardrail whose slot was emptied is gone."""
    if shape_of(found) != LIST_SHAPE and [slot.index for slot in slots] != [0]:
        raise ValueError("Tavus showed one guardrail of this set: edit that one only")
    guardrails = found.guardrails
    url = callback_url or next((g.callback_url for g in guardrails if g.callback_url), None)
    return [
        changed(guardrails[slot.index], slot.draft)
        if slot.index < len(guardrails)
        else dict(spec(slot.draft, url))
        for slot in slots
    ]


def with_items(
    found: GuardrailSet, name: str, items: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The document GET answered, holding ``items`` in the same shape, and ``name`` if the
    form changed the set's name."""
    shape = shape_of(found)
    if shape == FLAT_SHAPE:  # a newer single guardrail: its own name is the set's
        return dict(items[0])
    document = {**found.raw, "data": list(items) if shape == LIST_SHAPE else items[0]}
    if name != set_name(found):
        document["name"] = name
    return document


def changed(guardrail: Guardrail, draft: GuardrailDraft) -> dict[str, Any]:
    """The guardrail as Tavus sent it, with each field the form changed written: a field
    equal to what the form showed (``GuardrailDraft.of``) is left exactly as it was."""
    shown = GuardrailDraft.of(guardrail)
    item = dict(guardrail.raw)
    if draft.name != shown.name:
        item["guardrail_name"] = draft.name
    if draft.prompt != shown.prompt:
        # tavus-api.md's spelling, if Tavus ever answers with it: the path must match.
        misspelt = "guardrails_prompt" in item and "guardrail_prompt" not in item
        item["guardrails_prompt" if misspelt else "guardrail_prompt"] = draft.prompt
    if draft.modality != shown.modality:
        item["modality"] = draft.modality
    return item
