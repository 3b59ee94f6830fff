"""Guardrails from Slack: create a named set, and edit one with JSON Patch.

Like objectives (``bot.objectives``): the set is created through the shared start sequence
with no card, each guardrail carrying the callback URL of the set's own token, so triggers
land in the thread of the call they happened in. An edit sends only the fields the user
changed in the form, and nothing when the set changed in Tavus since the form opened
(``bot.sets``); the form also renames the set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot import sets
from bot.blocks import pickers
from bot.domain import guardrails as domain
from bot.jobs import Created, JobStarted, start_job
from bot.services import Services
from bot.sets import Edited, SetChanged, Slot
from bot.tavus import Guardrail, GuardrailSet, GuardrailSpec


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


def set_name(found: GuardrailSet) -> str | None:
    """The set's name as the form shows it (and reads it back): stripped."""
    return (found.name or "").strip() or None


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


async def edit_guardrails(
    services: Services,
    found: GuardrailSet,
    name: str,
    slots: Sequence[Slot[GuardrailDraft]],
    *,
    opened: str,
) -> Edited:
    """Sends what the form changed in ``found`` (the set as GET answers it now), ``name``
    included. Raises SetChanged (nothing sent) when ``found`` is not the ``version`` the form
    ``opened`` on, TavusError, or ValueError when the form's guardrails cannot replace the
    set's."""
    if sets.version(found.raw) != opened:
        raise SetChanged(found.guardrails_id)
    return await sets.send_edit(
        services,
        ROW,
        set_id=found.guardrails_id,
        before=found.guardrails,
        slots=slots,
        raw=found.raw,
        document=lambda items: with_items(found, name, items),
        name=name,
        renamed=name != set_name(found) and sets.shape_of(found.raw) != sets.FLAT_SHAPE,
    )


def edited_document(
    found: GuardrailSet,
    name: str,
    slots: Sequence[Slot[GuardrailDraft]],
    callback_url: str | None,
) -> dict[str, Any]:
    """The set as GET showed it, with the form's changes."""
    items = sets.edited_items(ROW, found.raw, found.guardrails, slots, callback_url)
    return with_items(found, name, items)


def with_items(
    found: GuardrailSet, name: str, items: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The document GET answered, holding ``items`` in the same shape, and ``name`` if the
    form changed the set's name (a newer single guardrail's own name is the set's)."""
    document = sets.in_shape(found.raw, items)
    if sets.shape_of(found.raw) != sets.FLAT_SHAPE and name != set_name(found):
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


ROW: sets.SetKind[Guardrail, GuardrailDraft] = sets.SetKind(
    kind=domain.KIND,
    noun="guardrail",
    name_key="guardrail_name",
    names_detail="guardrail_names",
    picker=pickers.GUARDRAILS_PICKER,
    changed=changed,
    new_member=lambda draft, url: dict(spec(draft, url)),
    name_of=lambda draft: draft.name,
    client=lambda services: services.tavus.guardrails,
)
