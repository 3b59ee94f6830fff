"""The guardrails form (new and edit), and reading it back.

A named set of one or more guardrails; "Add a guardrail" redraws the form with one more, as
the objectives form does. As in every set's form (``bot.blocks.set_modal``), the edit form
shows each value whole or leaves it out with a note (a prompt longer than the field holds),
and keeps a modality it does not know as an extra option.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.blocks import kit, set_modal
from bot.blocks.conversations import fits, shown_id
from bot.blocks.guardrails import usage_hint
from bot.blocks.objectives import names_words
from bot.blocks.set_modal import (
    EDITING,
    LEFT_OUT,
    MENU_TOO_LONG,
    Setup,
    menu_field,
    read_selected,
    read_typed,
    text_field,
    why_not_shown,
)
from bot.domain import guardrails as domain

if TYPE_CHECKING:
    from bot.guardrails import GuardrailDraft

CALLBACK_ID = "guardrails_form"
ADD_ACTION = "guardrails_add"
SET_NAME = "guardrails_name"

NAME, PROMPT, MODALITY = "name", "prompt", "modality"
_MODALITY_WORDS = {"verbal": "Verbal: what is said", "visual": "Visual: what is seen"}
NO_CALLBACKS = (
    "Without a public URL (PUBLIC_URL) Tavus cannot reach this app, so triggers will not be "
    "posted in Slack."
)

Block = dict[str, Any]
View = dict[str, Any]
Values = Mapping[str, Mapping[str, Any]]


def block_id(index: int, field: str) -> str:
    return f"guardrail_{index}_{field}"


@dataclass(frozen=True)
class GuardrailFields:
    """One guardrail as typed (None: left empty); checked by the handler. ``left_out``: the
    fields not in the form (a value it cannot show whole), each with why."""

    name: str | None = None
    prompt: str | None = None
    modality: str | None = None
    left_out: Mapping[str, str] = field(default_factory=dict)

    @property
    def blank(self) -> bool:
        """Nothing typed: the guardrail is left out. One whose name or prompt is not in the
        form is never blank."""
        if NAME in self.left_out or PROMPT in self.left_out:
            return False
        return self.name is None and self.prompt is None

    @classmethod
    def of(cls, shown: GuardrailDraft) -> GuardrailFields:
        """A guardrail Tavus has, as the edit form shows it: ``shown`` is its values
        (``bot.guardrails.GuardrailDraft.of``)."""
        left_out = {
            key: why
            for key, text, limit in (
                (NAME, shown.name, domain.NAME_MAX),
                (PROMPT, shown.prompt, domain.PROMPT_MAX),
            )
            if (why := why_not_shown(text, limit))
        }
        if not fits(shown.modality, kit.OPTION_VALUE_MAX):
            left_out[MODALITY] = MENU_TOO_LONG
        return cls(
            name=None if NAME in left_out else shown.name or None,
            prompt=None if PROMPT in left_out else shown.prompt or None,
            modality=shown.modality,
            left_out=left_out,
        )


def guardrails_modal(
    setup: Setup,
    filled: Sequence[GuardrailFields] = (),
    *,
    set_name: str | None = None,
    set_name_left_out: str | None = None,
) -> View:
    """``set_name_left_out``: why the set's name is not in the form (``set_name_left_out``)."""
    blocks: list[Block] = [kit.context(_guidance(setup))]
    blocks.extend(_set_name(set_name, set_name_left_out))
    for index in range(setup.count):
        shown = filled[index] if index < len(filled) else GuardrailFields()
        blocks.extend(_guardrail_blocks(index, shown))
    return set_modal.form_view(
        setup,
        plural="guardrails",
        callback_id=CALLBACK_ID,
        blocks=blocks,
        most=domain.MAX_GUARDRAILS,
        add_words="Add a guardrail",
        add_action=ADD_ACTION,
    )


def set_name_left_out(name: str | None) -> str | None:
    """Why the edit form cannot show a set's name whole (None: it can)."""
    return why_not_shown(name, domain.SET_NAME_MAX)


def _guidance(setup: Setup) -> str:
    text = (
        "Limits a persona keeps to in its calls. Give each guardrail a name (letters, digits "
        "and underscores) and a prompt; clear both to leave one out. Each time one triggers, "
        "a warning is posted in the call's thread."
    )
    if setup.editing is None:
        return text
    return f"Editing guardrails {shown_id(setup.editing)}. {text} {EDITING}"


def _set_name(initial: str | None, left_out: str | None) -> list[Block]:
    return text_field(
        SET_NAME,
        SET_NAME,
        "Name of the set",
        placeholder="Healthcare compliance",
        initial=initial,
        max_length=domain.SET_NAME_MAX,
        optional=False,
        left_out=left_out,
    )


def _guardrail_blocks(index: int, shown: GuardrailFields) -> list[Block]:
    return [
        kit.header(f"Guardrail {index + 1}"),
        *text_field(
            block_id(index, NAME),
            NAME,
            "Name",
            placeholder="no_medical_advice",
            initial=shown.name,
            max_length=domain.NAME_MAX,
            left_out=shown.left_out.get(NAME),
        ),
        *text_field(
            block_id(index, PROMPT),
            PROMPT,
            "Prompt",
            placeholder="Never give medical advice; suggest seeing a doctor instead",
            initial=shown.prompt,
            max_length=domain.PROMPT_MAX,
            multiline=True,
            left_out=shown.left_out.get(PROMPT),
        ),
        *menu_field(
            block_id(index, MODALITY),
            MODALITY,
            "Modality",
            _MODALITY_WORDS,
            shown.modality,
            left_out=shown.left_out.get(MODALITY),
        ),
    ]


@dataclass(frozen=True)
class GuardrailsForm:
    set_name: str | None
    guardrails: list[GuardrailFields]
    set_name_left_out: str | None = None  # why the form did not hold the set's name


def read_guardrails(values: Values, count: int) -> GuardrailsForm:
    """The set's name and the ``count`` guardrails of a submitted (or redrawn) form; a field
    whose input is not in the form was left out of it."""
    guardrails = [
        GuardrailFields(
            name=read_typed(values, block_id(i, NAME)),
            prompt=read_typed(values, block_id(i, PROMPT)),
            modality=read_selected(values, block_id(i, MODALITY)),
            left_out={
                f: LEFT_OUT for f in (NAME, PROMPT, MODALITY) if block_id(i, f) not in values
            },
        )
        for i in range(count)
    ]
    return GuardrailsForm(
        set_name=read_typed(values, SET_NAME),
        guardrails=guardrails,
        set_name_left_out=LEFT_OUT if SET_NAME not in values else None,
    )


# -- what the form says afterwards -----------------------------------------------------------


def created_view(guardrails_id: str, names: Sequence[str], *, relayed: bool) -> View:
    return set_modal.created_view(
        "guardrails",
        guardrails_id,
        names_words(names),
        hint=usage_hint(guardrails_id),
        relayed=relayed,
        unrelayed=NO_CALLBACKS,
    )
