"""The objectives form (new and edit), its result views, and reading it back.

One form holds one or more objectives; "Add an objective" redraws it with one more (Slack
keeps what was typed in inputs whose ids stay the same). Which set it edits, where it was
opened and how many objectives it shows travel in ``private_metadata`` (``Setup``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.blocks import kit
from bot.blocks.conversations import shown_id
from bot.blocks.objectives import names_words, usage_hint
from bot.blocks.start_modal import REASON_MAX, message_view
from bot.blocks.text import as_text, escape, truncate
from bot.domain import objectives as domain
from bot.tavus import Objective

CALLBACK_ID = "objectives_form"
ADD_ACTION = "objectives_add"
ADD_BLOCK = "objectives_add"

NAME, PROMPT, MODE, VARIABLES = "name", "prompt", "confirmation_mode", "output_variables"
MODALITY, NEXT, BRANCHES = "modality", "next", "branches"
_MODE_WORDS = {"auto": "Automatic", "manual": "Manual"}
_MODALITY_WORDS = {"verbal": "Verbal: from what is said", "visual": "Visual: from what is seen"}
NO_CALLBACKS = (
    "Without a public URL (PUBLIC_URL) Tavus cannot reach this app, so completions will not "
    "be posted in Slack."
)

Block = dict[str, Any]
View = dict[str, Any]
Values = Mapping[str, Mapping[str, Any]]


def block_id(index: int, field: str) -> str:
    return f"objective_{index}_{field}"


@dataclass(frozen=True)
class Setup:
    """What the form carries between Slack's requests."""

    channel_id: str | None
    count: int = 1
    editing: str | None = None  # the set being edited
    growable: bool = True  # False when Tavus showed one objective of the set only

    def metadata(self) -> str:
        return json.dumps(
            {"c": self.channel_id, "n": self.count, "e": self.editing, "g": self.growable}
        )

    @classmethod
    def parse(cls, raw: object, *, most: int) -> Setup:
        """Lenient: a metadata Slack mangled or someone forged is a one-item new form."""
        try:
            data = json.loads(raw) if isinstance(raw, str) and raw else {}
        except ValueError:
            data = {}
        data = data if isinstance(data, dict) else {}
        count, channel, editing = data.get("n"), data.get("c"), data.get("e")
        return cls(
            channel_id=channel if isinstance(channel, str) and channel else None,
            count=min(max(count, 1), most) if type(count) is int else 1,
            editing=editing if isinstance(editing, str) and editing else None,
            growable=data.get("g") is not False,
        )

    def grown(self, most: int) -> Setup:
        return Setup(self.channel_id, min(self.count + 1, most), self.editing, self.growable)


@dataclass(frozen=True)
class ObjectiveFields:
    """One objective as typed (None: left empty); checked by the handler."""

    name: str | None = None
    prompt: str | None = None
    confirmation_mode: str | None = None
    modality: str | None = None
    output_variables: str | None = None  # "email, first_name"
    next_objective: str | None = None
    branches: str | None = None  # one "objective_name: when this holds" per line

    @property
    def blank(self) -> bool:
        """Nothing typed: the objective is left out (the menus always hold a choice)."""
        typed = (self.name, self.prompt, self.output_variables, self.next_objective, self.branches)
        return all(value is None for value in typed)

    @classmethod
    def of(cls, objective: Objective) -> ObjectiveFields:
        """An objective Tavus has, as the form shows it for editing."""
        branches = "\n".join(f"{n}: {c}" for n, c in objective.next_conditional_objectives.items())
        return cls(
            name=objective.objective_name or None,
            prompt=objective.objective_prompt,
            confirmation_mode=objective.confirmation_mode,
            modality=objective.modality,
            output_variables=", ".join(objective.output_variables) or None,
            next_objective=next(iter(objective.next_required_objectives), None),
            branches=branches or None,
        )


def objectives_modal(setup: Setup, filled: Sequence[ObjectiveFields] = ()) -> View:
    blocks: list[Block] = [kit.context(_guidance(setup))]
    for index in range(setup.count):
        shown = filled[index] if index < len(filled) else ObjectiveFields()
        blocks.extend(_objective_blocks(index, shown))
    if setup.growable and setup.count < domain.MAX_OBJECTIVES:
        add = kit.button("Add an objective", action_id=ADD_ACTION, value=str(setup.count))
        blocks.append(kit.actions(add, block_id=ADD_BLOCK))
    editing = setup.editing is not None
    return kit.modal(
        title="Edit objectives" if editing else "New objectives",
        blocks=blocks,
        callback_id=CALLBACK_ID,
        submit="Save" if editing else "Create",
        close="Cancel",
        private_metadata=setup.metadata(),
    )


def _guidance(setup: Setup) -> str:
    where = f"Editing objectives {shown_id(setup.editing)}. " if setup.editing else ""
    return (
        f"{where}A persona steers its calls towards these goals, in order. Give each a name "
        "without spaces and a prompt; clear both to leave one out. Each completion is posted "
        "in the call's thread with its output variables."
    )


def _objective_blocks(index: int, shown: ObjectiveFields) -> list[Block]:
    return [
        kit.header(f"Objective {index + 1}"),
        _text(index, NAME, "Name", "collect_email", shown.name, domain.NAME_MAX),
        _text(
            index,
            PROMPT,
            "Prompt",
            "Ask for the participant's email address",
            shown.prompt,
            domain.PROMPT_MAX,
            multiline=True,
        ),
        _menu(index, MODE, "Confirmation", _MODE_WORDS, shown.confirmation_mode),
        _text(
            index,
            VARIABLES,
            "Output variables",
            "email, first_name",
            shown.output_variables,
            kit.TEXT_INPUT_MAX,
            hint="What to collect, by name, separated by commas: posted when it completes.",
        ),
        _menu(index, MODALITY, "Modality", _MODALITY_WORDS, shown.modality),
        _text(
            index,
            NEXT,
            "Next objective",
            "schedule_demo",
            shown.next_objective,
            domain.NAME_MAX,
            hint="The name of the objective of this form that always follows this one.",
        ),
        _text(
            index,
            BRANCHES,
            "Or next, depending on the call",
            "schedule_demo: they want a demo",
            shown.branches,
            kit.TEXT_INPUT_MAX,
            multiline=True,
            hint="One per line: an objective's name, a colon, and when to go there.",
        ),
    ]


def _text(
    index: int,
    field: str,
    label: str,
    placeholder: str,
    initial: str | None,
    max_length: int,
    *,
    multiline: bool = False,
    hint: str | None = None,
) -> Block:
    element = kit.plain_text_input(
        action_id=field,
        placeholder=placeholder,
        initial_value=initial,
        multiline=multiline,
        max_length=max_length,
    )
    return kit.input_block(block_id(index, field), label, element, optional=True, hint=hint)


def _menu(
    index: int, field: str, label: str, words: Mapping[str, str], chosen: str | None
) -> Block:
    options = [kit.option(text, value) for value, text in words.items()]
    initial = next((o for o in options if o["value"] == chosen), options[0])
    element = kit.static_select(
        action_id=field, placeholder=label, options=options, initial_option=initial
    )
    return kit.input_block(block_id(index, field), label, element)


def read_objectives(values: Values, count: int) -> list[ObjectiveFields]:
    """The ``count`` objectives of a submitted (or redrawn) form, as typed."""
    return [
        ObjectiveFields(
            name=read_typed(values, block_id(i, NAME)),
            prompt=read_typed(values, block_id(i, PROMPT)),
            confirmation_mode=read_selected(values, block_id(i, MODE)),
            modality=read_selected(values, block_id(i, MODALITY)),
            output_variables=read_typed(values, block_id(i, VARIABLES)),
            next_objective=read_typed(values, block_id(i, NEXT)),
            branches=read_typed(values, block_id(i, BRANCHES)),
        )
        for i in range(count)
    ]


def _state(values: Values, block: str) -> Mapping[str, Any]:
    found = next(iter(values.get(block, {}).values()), None)
    return found if isinstance(found, Mapping) else {}


def read_typed(values: Values, block: str) -> str | None:
    """A text input's value, stripped; None when empty."""
    raw = _state(values, block).get("value")
    return raw.strip() or None if isinstance(raw, str) else None


def read_selected(values: Values, block: str) -> str | None:
    option = _state(values, block).get("selected_option")
    value = option.get("value") if isinstance(option, Mapping) else None
    return value if isinstance(value, str) else None


# -- what the form says afterwards -----------------------------------------------------------


def loading_view(title: str) -> View:
    """The edit form before Tavus has said what the set holds."""
    return message_view(title, ":hourglass_flowing_sand: Asking Tavus for the set…")


def not_saved_view(reason: str, *, escaped: bool = False) -> View:
    """Why an edit did not happen; ``reason`` is escaped unless it is mrkdwn already."""
    shown = reason if escaped else escape(truncate(as_text(reason).strip(), REASON_MAX))
    return message_view("Not saved", f":warning: {shown}")


def creating_view() -> View:
    return message_view("New objectives", ":hourglass_flowing_sand: Creating the objectives…")


def saving_view() -> View:
    return message_view("Edit objectives", ":hourglass_flowing_sand: Saving…")


def created_view(objectives_id: str, names: Sequence[str], *, relayed: bool) -> View:
    text = (
        f":white_check_mark: Created objectives {shown_id(objectives_id)}: {names_words(names)}."
        f"\n{usage_hint(objectives_id)}."
    )
    if not relayed:
        text += f"\n_{NO_CALLBACKS}_"
    return message_view("Objectives created", text)


def saved_view(text: str) -> View:
    """``text``: ``bot.blocks.objectives.saved_text``."""
    return message_view("Objectives saved", text)
