"""The guardrails form (new and edit), its result views, and reading it back.

A named set of one or more guardrails; "Add a guardrail" redraws the form with one more, as
the objectives form does (its ``Setup`` travels in ``private_metadata`` the same way).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.blocks import kit
from bot.blocks.conversations import shown_id
from bot.blocks.guardrails import usage_hint
from bot.blocks.objective_modal import Setup, read_selected, read_typed
from bot.blocks.objectives import names_words
from bot.blocks.start_modal import message_view
from bot.domain import guardrails as domain
from bot.tavus import Guardrail

CALLBACK_ID = "guardrails_form"
ADD_ACTION = "guardrails_add"
ADD_BLOCK = "guardrails_add"
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
    """One guardrail as typed (None: left empty); checked by the handler."""

    name: str | None = None
    prompt: str | None = None
    modality: str | None = None

    @property
    def blank(self) -> bool:
        return self.name is None and self.prompt is None

    @classmethod
    def of(cls, guardrail: Guardrail) -> GuardrailFields:
        return cls(
            name=guardrail.guardrail_name or None,
            prompt=guardrail.guardrail_prompt,
            modality=guardrail.modality,
        )


def guardrails_modal(
    setup: Setup, filled: Sequence[GuardrailFields] = (), *, set_name: str | None = None
) -> View:
    blocks: list[Block] = [kit.context(_guidance(setup)), _set_name(set_name)]
    for index in range(setup.count):
        shown = filled[index] if index < len(filled) else GuardrailFields()
        blocks.extend(_guardrail_blocks(index, shown))
    if setup.growable and setup.count < domain.MAX_GUARDRAILS:
        add = kit.button("Add a guardrail", action_id=ADD_ACTION, value=str(setup.count))
        blocks.append(kit.actions(add, block_id=ADD_BLOCK))
    editing = setup.editing is not None
    return kit.modal(
        title="Edit guardrails" if editing else "New guardrails",
        blocks=blocks,
        callback_id=CALLBACK_ID,
        submit="Save" if editing else "Create",
        close="Cancel",
        private_metadata=setup.metadata(),
    )


def _guidance(setup: Setup) -> str:
    where = f"Editing guardrails {shown_id(setup.editing)}. " if setup.editing else ""
    return (
        f"{where}Limits a persona keeps to in its calls. Give each guardrail a name (letters, "
        "digits and underscores) and a prompt; clear both to leave one out. Each time one "
        "triggers, a warning is posted in the call's thread."
    )


def _set_name(initial: str | None) -> Block:
    element = kit.plain_text_input(
        action_id=SET_NAME,
        placeholder="Healthcare compliance",
        initial_value=initial,
        max_length=domain.SET_NAME_MAX,
    )
    return kit.input_block(SET_NAME, "Name of the set", element)


def _guardrail_blocks(index: int, shown: GuardrailFields) -> list[Block]:
    name = kit.plain_text_input(
        action_id=NAME,
        placeholder="no_medical_advice",
        initial_value=shown.name,
        max_length=domain.NAME_MAX,
    )
    prompt = kit.plain_text_input(
        action_id=PROMPT,
        placeholder="Never give medical advice; suggest seeing a doctor instead",
        initial_value=shown.prompt,
        multiline=True,
        max_length=domain.PROMPT_MAX,
    )
    options = [kit.option(text, value) for value, text in _MODALITY_WORDS.items()]
    initial = next((o for o in options if o["value"] == shown.modality), options[0])
    modality = kit.static_select(
        action_id=MODALITY, placeholder="Modality", options=options, initial_option=initial
    )
    return [
        kit.header(f"Guardrail {index + 1}"),
        kit.input_block(block_id(index, NAME), "Name", name, optional=True),
        kit.input_block(block_id(index, PROMPT), "Prompt", prompt, optional=True),
        kit.input_block(block_id(index, MODALITY), "Modality", modality),
    ]


@dataclass(frozen=True)
class GuardrailsForm:
    set_name: str | None
    guardrails: list[GuardrailFields]


def read_guardrails(values: Values, count: int) -> GuardrailsForm:
    """The set's name and the ``count`` guardrails of a submitted (or redrawn) form."""
    guardrails = [
        GuardrailFields(
            name=read_typed(values, block_id(i, NAME)),
            prompt=read_typed(values, block_id(i, PROMPT)),
            modality=read_selected(values, block_id(i, MODALITY)),
        )
        for i in range(count)
    ]
    return GuardrailsForm(set_name=read_typed(values, SET_NAME), guardrails=guardrails)


# -- what the form says afterwards -----------------------------------------------------------


def creating_view() -> View:
    return message_view("New guardrails", ":hourglass_flowing_sand: Creating the guardrails…")


def saving_view() -> View:
    return message_view("Edit guardrails", ":hourglass_flowing_sand: Saving…")


def created_view(guardrails_id: str, names: Sequence[str], *, relayed: bool) -> View:
    text = (
        f":white_check_mark: Created guardrails {shown_id(guardrails_id)}: {names_words(names)}."
        f"\n{usage_hint(guardrails_id)}."
    )
    if not relayed:
        text += f"\n_{NO_CALLBACKS}_"
    return message_view("Guardrails created", text)


def saved_view(text: str) -> View:
    """``text``: ``bot.blocks.objectives.saved_text``."""
    return message_view("Guardrails saved", text)
