"""`/tavus guardrail new|edit` and the guardrails form (``handlers.shared.set_forms``): the
family's row, and the checks its form passes before Tavus hears of it."""

from __future__ import annotations

from collections.abc import Sequence

from bot.blocks import guardrail_modal as modal
from bot.blocks.guardrail_modal import GuardrailFields, GuardrailsForm, block_id
from bot.blocks.set_modal import Setup
from bot.domain import guardrails as domain
from bot.guardrails import (
    GuardrailDraft,
    GuardrailsRequest,
    create_guardrails,
    edit_guardrails,
    set_name,
)
from bot.jobs import JobStarted
from bot.services import Services
from bot.sets import Edited, Slot
from bot.tavus import GuardrailSet
from handlers.shared import set_forms
from handlers.shared.set_forms import Checked, Origin
from handlers.shared.submitting import Errors, View


def _draw(setup: Setup, typed: GuardrailsForm | None) -> View:
    typed = typed or GuardrailsForm(set_name=None, guardrails=[])
    return modal.guardrails_modal(
        setup,
        typed.guardrails,
        set_name=typed.set_name,
        set_name_left_out=typed.set_name_left_out,
    )


def _shown(found: GuardrailSet) -> GuardrailsForm:
    name = set_name(found)
    return GuardrailsForm(
        set_name=name,
        guardrails=[GuardrailFields.of(GuardrailDraft.of(g)) for g in found.guardrails],
        set_name_left_out=modal.set_name_left_out(name),
    )


def _check(typed: GuardrailsForm, found: GuardrailSet | None) -> Checked[GuardrailDraft] | Errors:
    if found is None:
        name, slots, errors = check(typed)
    else:
        shown = [GuardrailDraft.of(guardrail) for guardrail in found.guardrails]
        name, slots, errors = check(typed, shown, set_name(found))
    return errors or Checked(slots, name)


async def _create(
    services: Services, origin: Origin, checked: Checked[GuardrailDraft]
) -> JobStarted:
    request = GuardrailsRequest(
        team_id=origin.team_id,
        user_id=origin.user_id,
        channel_id=origin.channel_id,
        name=checked.name or "",
        guardrails=tuple(slot.draft for slot in checked.slots),
    )
    return await create_guardrails(services, request)


async def _edit(
    services: Services, found: GuardrailSet, checked: Checked[GuardrailDraft], opened: str
) -> Edited:
    return await edit_guardrails(services, found, checked.name or "", checked.slots, opened=opened)


def _created_view(guardrails_id: str, checked: Checked[GuardrailDraft], relayed: bool) -> View:
    names = [slot.draft.name for slot in checked.slots]
    return modal.created_view(guardrails_id, names, relayed=relayed)


FORM: set_forms.SetForm[GuardrailSet, GuardrailsForm, GuardrailDraft]
FORM = set_forms.SetForm(
    kind=domain.KIND,
    most=domain.MAX_GUARDRAILS,
    callback_id=modal.CALLBACK_ID,
    add_action=modal.ADD_ACTION,
    get=lambda services, guardrails_id: services.tavus.guardrails.get(guardrails_id),
    set_id=lambda found: found.guardrails_id,
    members=lambda found: found.guardrails,
    draw=_draw,
    read=modal.read_guardrails,
    shown=_shown,
    check=_check,
    create=_create,
    edit=_edit,
    created_view=_created_view,
)


# -- checking the form -----------------------------------------------------------------------


def check(
    form: GuardrailsForm, shown: Sequence[GuardrailDraft] = (), shown_name: str | None = None
) -> tuple[str, list[Slot[GuardrailDraft]], dict[str, str]]:
    """The set's name and the guardrails to send, each with its place in the form, or
    inline errors keyed by block_id (Slack shows them). ``shown``, ``shown_name``: what an
    edit form showed; a field it left out keeps that value, and a value it showed is not
    held to the form's limits (Tavus has it already)."""
    errors: dict[str, str] = {}
    name = shown_name if form.set_name_left_out and shown_name else form.set_name
    if name is None:
        errors[modal.SET_NAME] = "Give the set a name."
    elif len(name) > domain.SET_NAME_MAX and name != shown_name:
        errors[modal.SET_NAME] = f"Keep the name under {domain.SET_NAME_MAX} characters."
    kept = [
        (index, found, shown[index] if index < len(shown) else None)
        for index, found in enumerate(form.guardrails)
        if not found.blank
    ]
    if not kept:
        errors[block_id(0, modal.NAME)] = "Give at least one guardrail a name and a prompt."
    seen: set[str] = set()
    slots = []
    for index, found, before in kept:
        draft = _draft(index, found, before, seen, errors)
        if draft is not None:
            slots.append(Slot(index, draft))
    return (name or "", slots, {}) if not errors else ("", [], errors)


def _kept(found: GuardrailFields, before: GuardrailDraft | None, field: str) -> bool:
    """Whether ``field`` was left out of the form: its value is the one Tavus has."""
    return before is not None and field in found.left_out


def _draft(
    index: int,
    found: GuardrailFields,
    before: GuardrailDraft | None,
    seen: set[str],
    errors: dict[str, str],
) -> GuardrailDraft | None:
    start = len(errors)
    name = before.name if before and _kept(found, before, modal.NAME) else found.name
    name_error = _name_error(name, seen, shown=before.name if before else None)
    if name_error:
        errors[block_id(index, modal.NAME)] = name_error
    if name is not None:
        seen.add(name)
    prompt = before.prompt if before and _kept(found, before, modal.PROMPT) else found.prompt
    if prompt is None:
        errors[block_id(index, modal.PROMPT)] = "Give this guardrail a prompt: what not to do."
    elif len(prompt) > domain.PROMPT_MAX and (before is None or prompt != before.prompt):
        errors[block_id(index, modal.PROMPT)] = f"At most {domain.PROMPT_MAX} characters."
    modality = _modality(index, found, before, errors)
    if len(errors) > start or name is None or prompt is None:
        return None
    return GuardrailDraft(name=name, prompt=prompt, modality=modality)


def _modality(
    index: int, found: GuardrailFields, before: GuardrailDraft | None, errors: dict[str, str]
) -> str:
    """One Tavus documents, or the one the form showed (kept as an option, or left out)."""
    shown = before.modality if before is not None else None
    if before is not None and _kept(found, before, modal.MODALITY):
        return before.modality
    modality = found.modality or domain.MODALITIES[0]
    if modality not in domain.MODALITIES and modality != shown:
        errors[block_id(index, modal.MODALITY)] = "Choose a modality."
    return modality


def _name_error(name: str | None, seen: set[str], *, shown: str | None) -> str | None:
    if name is None:
        return "Give this guardrail a name."
    if name in seen:
        return "Another guardrail of this form has this name."
    if name == shown:  # Tavus has it already
        return None
    if not domain.NAME_PATTERN.fullmatch(name):
        return "Letters, digits and underscores only, like no_medical_advice."
    if len(name) > domain.NAME_MAX:
        return f"Keep the name under {domain.NAME_MAX} characters."
    return None
