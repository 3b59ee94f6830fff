"""Objectives from Slack: create a set, and edit one with JSON Patch.

A set is created through the shared start sequence (``bot.jobs``) with no card: it gets its
own callback token, and every objective carries the URL built on it, so Tavus's completion
callbacks reach the app and land in the thread of the call that reached them. Nothing is
polled, so the set is stored finished.

An edit sends only what the user changed in the form, and nothing when the set changed in
Tavus since the form opened (``bot.sets`` says how, for objectives and guardrails alike).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from bot import sets
from bot.blocks import pickers
from bot.domain import objectives as domain
from bot.jobs import Created, JobStarted, start_job
from bot.services import Services
from bot.sets import Edited, SetChanged, Slot
from bot.tavus import Objective, ObjectiveSet, ObjectiveSpec

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


async def edit_objectives(
    services: Services, found: ObjectiveSet, slots: Sequence[Slot[ObjectiveDraft]], *, opened: str
) -> Edited:
    """Sends what the form changed in ``found`` (the set as GET answers it now). Raises
    SetChanged (nothing sent) when ``found`` is not the ``version`` the form ``opened`` on,
    TavusError, or ValueError when the form's objectives cannot replace the set's."""
    if sets.version(found.raw) != opened:
        raise SetChanged(found.objectives_id)
    return await sets.send_edit(
        services,
        ROW,
        set_id=found.objectives_id,
        before=found.objectives,
        slots=slots,
        raw=found.raw,
        document=lambda items: sets.in_shape(found.raw, items),
    )


def edited_document(
    found: ObjectiveSet, slots: Sequence[Slot[ObjectiveDraft]], callback_url: str | None
) -> dict[str, Any]:
    """The set as GET showed it, with the form's changes."""
    items = sets.edited_items(ROW, found.raw, found.objectives, slots, callback_url)
    return sets.in_shape(found.raw, items)


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


ROW: sets.SetKind[Objective, ObjectiveDraft] = sets.SetKind(
    kind=domain.KIND,
    noun="objective",
    name_key="objective_name",
    names_detail="objective_names",
    picker=pickers.OBJECTIVES_PICKER,
    changed=changed,
    new_member=lambda draft, url: dict(spec(draft, url)),
    name_of=lambda draft: draft.name,
    client=lambda services: services.tavus.objectives,
)
