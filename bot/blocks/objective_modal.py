"""The objectives form (new and edit), and reading it back.

One form holds one or more objectives; "Add an objective" redraws it with one more (Slack
keeps what was typed in inputs whose ids stay the same). Which set it edits, the version of
the set it was opened on, where it was opened and how many objectives it shows travel in
``private_metadata`` (``bot.blocks.set_modal.Setup``).

As in every set's edit form (``bot.blocks.set_modal``), each value is shown whole or left out
with a note; here that includes a list whose names hold commas or spaces.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.blocks import kit, set_modal
from bot.blocks.conversations import fits, shown_id
from bot.blocks.objectives import names_words, usage_hint
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
from bot.domain import objectives as domain

if TYPE_CHECKING:
    from bot.objectives import ObjectiveDraft

CALLBACK_ID = "objectives_form"
ADD_ACTION = "objectives_add"

NAME, PROMPT, MODE, VARIABLES = "name", "prompt", "confirmation_mode", "output_variables"
MODALITY, NEXT, BRANCHES = "modality", "next", "branches"
NEXT_MANY = "next_many"  # the action id of a Next field that takes several names
TEXT_FIELDS = (NAME, PROMPT, VARIABLES, NEXT, BRANCHES)
MENUS = (MODE, MODALITY)
_MODE_WORDS = {"auto": "Automatic", "manual": "Manual"}
_MODALITY_WORDS = {"verbal": "Verbal: from what is said", "visual": "Visual: from what is seen"}
NO_CALLBACKS = (
    "Without a public URL (PUBLIC_URL) Tavus cannot reach this app, so completions will not "
    "be posted in Slack."
)
_LIST_MAX = kit.TEXT_INPUT_MAX
_SEPARATORS = re.compile(r"[,\s]+")

Block = dict[str, Any]
View = dict[str, Any]
Values = Mapping[str, Mapping[str, Any]]


def block_id(index: int, field: str) -> str:
    return f"objective_{index}_{field}"


# -- the text of list fields, both ways ------------------------------------------------------


def parse_names(text: str | None) -> tuple[str, ...]:
    """ "email, first_name" -> ("email", "first_name"): commas or spaces, no repeats."""
    return tuple(dict.fromkeys(name for name in _SEPARATORS.split(text or "") if name))


def names_text(names: Sequence[str]) -> str | None:
    return ", ".join(names) or None


class BranchesError(ValueError):
    """A line of the branches field is not `name: condition`."""


def parse_branches(text: str | None) -> tuple[tuple[str, str], ...]:
    """One `objective_name: when to go there` per line (blank lines skipped); a name given
    twice keeps its last condition, as a JSON object would."""
    branches: dict[str, str] = {}
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        target, colon, condition = (part.strip() for part in line.partition(":"))
        if not colon or not target or not condition:
            raise BranchesError("One per line: an objective's name, a colon, and when to go there.")
        branches[target] = condition
    return tuple(branches.items())


def branches_text(branches: Sequence[tuple[str, str]]) -> str | None:
    return "\n".join(f"{target}: {condition}" for target, condition in branches) or None


@dataclass(frozen=True)
class ObjectiveFields:
    """One objective as typed (None: left empty); checked by the handler. ``left_out``: the
    fields not in the form (a value it cannot show whole), each with why."""

    name: str | None = None
    prompt: str | None = None
    confirmation_mode: str | None = None
    modality: str | None = None
    output_variables: str | None = None  # "email, first_name"
    next_objectives: str | None = None  # "schedule_demo", or several where ``next_many``
    branches: str | None = None  # one "objective_name: when this holds" per line
    next_many: bool = False
    left_out: Mapping[str, str] = field(default_factory=dict)

    @property
    def blank(self) -> bool:
        """Nothing typed: the objective is left out (the menus always hold a choice). One
        whose name or prompt is not in the form is never blank."""
        if NAME in self.left_out or PROMPT in self.left_out:
            return False
        typed = (self.name, self.prompt, self.output_variables, self.next_objectives)
        return all(value is None for value in (*typed, self.branches))

    @classmethod
    def of(cls, shown: ObjectiveDraft, *, many: bool = False) -> ObjectiveFields:
        """An objective Tavus has, as the edit form shows it: ``shown`` is its values
        (``bot.objectives.ObjectiveDraft.of``); ``many``: its next objectives are a list."""
        rows: tuple[tuple[str, object, str | None, int, Callable[[str], object] | None], ...]
        rows = (  # (field, value, its text, the field's limit, how the text reads back)
            (NAME, shown.name, shown.name, domain.NAME_MAX, None),
            (PROMPT, shown.prompt, shown.prompt, domain.PROMPT_MAX, None),
            (
                VARIABLES,
                shown.output_variables,
                names_text(shown.output_variables),
                _LIST_MAX,
                parse_names,
            ),
            (
                NEXT,
                shown.next_objectives,
                names_text(shown.next_objectives),
                _LIST_MAX,
                parse_names,
            ),
            (BRANCHES, shown.branches, branches_text(shown.branches), _LIST_MAX, _branches_or_none),
        )
        left_out: dict[str, str] = {}
        typed: dict[str, str | None] = {}
        for key, value, text, limit, parse in rows:
            why = why_not_shown(text, limit, value, parse)
            if why:
                left_out[key] = why
            typed[key] = None if why else (text or None)
        for key, value in ((MODE, shown.confirmation_mode), (MODALITY, shown.modality)):
            if not fits(value, kit.OPTION_VALUE_MAX):
                left_out[key] = MENU_TOO_LONG
        return cls(
            name=typed[NAME],
            prompt=typed[PROMPT],
            confirmation_mode=shown.confirmation_mode,
            modality=shown.modality,
            output_variables=typed[VARIABLES],
            next_objectives=typed[NEXT],
            branches=typed[BRANCHES],
            next_many=many,
            left_out=left_out,
        )


def _branches_or_none(text: str | None) -> object:
    try:
        return parse_branches(text)
    except BranchesError:
        return None


def objectives_modal(setup: Setup, filled: Sequence[ObjectiveFields] = ()) -> View:
    blocks: list[Block] = [kit.context(_guidance(setup))]
    for index in range(setup.count):
        shown = filled[index] if index < len(filled) else ObjectiveFields()
        blocks.extend(_objective_blocks(index, shown))
    return set_modal.form_view(
        setup,
        plural="objectives",
        callback_id=CALLBACK_ID,
        blocks=blocks,
        most=domain.MAX_OBJECTIVES,
        add_words="Add an objective",
        add_action=ADD_ACTION,
    )


def _guidance(setup: Setup) -> str:
    text = (
        "A persona steers its calls towards these goals, in order. Give each a name without "
        "spaces and a prompt; clear both to leave one out. Each completion is posted in the "
        "call's thread with its output variables."
    )
    if setup.editing is None:
        return text
    return f"Editing objectives {shown_id(setup.editing)}. {text} {EDITING}"


def _objective_blocks(index: int, shown: ObjectiveFields) -> list[Block]:
    next_label, next_hint = "Next objective", "The name of the objective of this form that follows."
    if shown.next_many:
        next_label = "Next objectives"
        next_hint = "The names of the objectives of this form that follow, separated by commas."
    return [
        kit.header(f"Objective {index + 1}"),
        *_text(index, shown, NAME, "Name", "collect_email", domain.NAME_MAX),
        *_text(
            index,
            shown,
            PROMPT,
            "Prompt",
            "Ask for the participant's email address",
            domain.PROMPT_MAX,
            multiline=True,
        ),
        *_menu(index, shown, MODE, "Confirmation", _MODE_WORDS),
        *_text(
            index,
            shown,
            VARIABLES,
            "Output variables",
            "email, first_name",
            kit.TEXT_INPUT_MAX,
            hint="What to collect, by name, separated by commas: posted when it completes.",
        ),
        *_menu(index, shown, MODALITY, "Modality", _MODALITY_WORDS),
        *_text(
            index,
            shown,
            NEXT,
            next_label,
            "schedule_demo",
            kit.TEXT_INPUT_MAX,
            hint=next_hint,
        ),
        *_text(
            index,
            shown,
            BRANCHES,
            "Or next, depending on the call",
            "schedule_demo: they want a demo",
            kit.TEXT_INPUT_MAX,
            multiline=True,
            hint="One per line: an objective's name, a colon, and when to go there.",
        ),
    ]


def _text(
    index: int,
    shown: ObjectiveFields,
    field: str,
    label: str,
    placeholder: str,
    max_length: int,
    *,
    multiline: bool = False,
    hint: str | None = None,
) -> list[Block]:
    return text_field(
        block_id(index, field),
        NEXT_MANY if field == NEXT and shown.next_many else field,
        label,
        placeholder=placeholder,
        initial=getattr(shown, _ATTRIBUTES.get(field, field)),
        max_length=max_length,
        multiline=multiline,
        hint=hint,
        left_out=shown.left_out.get(field),
    )


_ATTRIBUTES = {NEXT: "next_objectives"}


def _menu(
    index: int, shown: ObjectiveFields, field: str, label: str, words: Mapping[str, str]
) -> list[Block]:
    chosen = getattr(shown, field)
    return menu_field(
        block_id(index, field), field, label, words, chosen, left_out=shown.left_out.get(field)
    )


def read_objectives(values: Values, count: int) -> list[ObjectiveFields]:
    """The ``count`` objectives of a submitted (or redrawn) form, as typed; a field whose
    input is not in the form was left out of it (``ObjectiveFields.left_out``)."""
    return [_read_objective(values, i) for i in range(count)]


def _read_objective(values: Values, index: int) -> ObjectiveFields:
    def typed(field: str) -> str | None:
        return read_typed(values, block_id(index, field))

    absent = [f for f in (*TEXT_FIELDS, *MENUS) if block_id(index, f) not in values]
    return ObjectiveFields(
        name=typed(NAME),
        prompt=typed(PROMPT),
        confirmation_mode=read_selected(values, block_id(index, MODE)),
        modality=read_selected(values, block_id(index, MODALITY)),
        output_variables=typed(VARIABLES),
        next_objectives=typed(NEXT),
        branches=typed(BRANCHES),
        next_many=NEXT_MANY in values.get(block_id(index, NEXT), {}),
        left_out={f: LEFT_OUT for f in absent},
    )


# -- what the form says afterwards -----------------------------------------------------------


def created_view(objectives_id: str, names: Sequence[str], *, relayed: bool) -> View:
    return set_modal.created_view(
        "objectives",
        objectives_id,
        names_words(names),
        hint=usage_hint(objectives_id),
        relayed=relayed,
        unrelayed=NO_CALLBACKS,
    )
