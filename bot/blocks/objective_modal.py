"""The objectives form (new and edit), its result views, and reading it back.

One form holds one or more objectives; "Add an objective" redraws it with one more (Slack
keeps what was typed in inputs whose ids stay the same). Which set it edits, the version of
the set it was opened on, where it was opened and how many objectives it shows travel in
``private_metadata`` (``Setup``).

The edit form shows each value of the set whole or not at all: a value that would not read
back the same (a prompt longer than a Slack field holds, a list whose names hold commas or
spaces, a menu value too long for an option) is left out with a note, so submitting the form
never cuts or resets it. A value the menus do not know (a confirmation mode Tavus added
since) is kept as an extra option.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.blocks import kit
from bot.blocks.conversations import fits, shown_id
from bot.blocks.objectives import names_words, usage_hint
from bot.blocks.personas import length_words
from bot.blocks.start_modal import REASON_MAX, message_view
from bot.blocks.text import as_text, escape, truncate
from bot.domain import objectives as domain

if TYPE_CHECKING:
    from bot.objectives import ObjectiveDraft

CALLBACK_ID = "objectives_form"
ADD_ACTION = "objectives_add"
ADD_BLOCK = "objectives_add"

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
ELSEWHERE = "To change it, use the Tavus dashboard or send a JSON Patch to the Tavus API."
EDITING = (
    "Saving sends only what you change, and nothing if the set changed in Tavus since this "
    "form opened."
)
MENU_TOO_LONG = "holds a value too long for a Slack menu"
LEFT_OUT = "cannot be shown whole in this form"  # a redrawn form no longer knows why
_LIST_MAX = kit.TEXT_INPUT_MAX
_SEPARATORS = re.compile(r"[,\s]+")

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
    version: str | None = None  # of the set, when the edit form opened on it

    def metadata(self) -> str:
        return json.dumps(
            {
                "c": self.channel_id,
                "n": self.count,
                "e": self.editing,
                "g": self.growable,
                "v": self.version,
            }
        )

    @classmethod
    def parse(cls, raw: object, *, most: int) -> Setup:
        """Lenient: a metadata Slack mangled or someone forged is a one-item new form."""
        try:
            data = json.loads(raw) if isinstance(raw, str) and raw else {}
        except ValueError:
            data = {}
        data = data if isinstance(data, dict) else {}
        count, channel, editing, version = (data.get(k) for k in ("n", "c", "e", "v"))
        return cls(
            channel_id=channel if isinstance(channel, str) and channel else None,
            count=min(max(count, 1), most) if type(count) is int else 1,
            editing=editing if isinstance(editing, str) and editing else None,
            growable=data.get("g") is not False,
            version=version if isinstance(version, str) and version else None,
        )

    def grown(self, most: int) -> Setup:
        count = min(self.count + 1, most)
        return Setup(self.channel_id, count, self.editing, self.growable, self.version)


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


def left_out_note(label: str, why: str) -> Block:
    """Where a value the form cannot show whole would be: it is not in the form, so
    submitting leaves it as it is."""
    return kit.context(
        f"*{escape(label)}* {escape(why)}, so it is not in this form and saving keeps it as it "
        f"is. {ELSEWHERE}"
    )


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


def text_field(
    block: str,
    action_id: str,
    label: str,
    *,
    placeholder: str,
    initial: str | None,
    max_length: int,
    multiline: bool = False,
    hint: str | None = None,
    optional: bool = True,
    left_out: str | None = None,
) -> list[Block]:
    """An optional text input; or, for a value the form cannot show whole (``left_out``:
    why), a note in its place."""
    if left_out is not None:
        return [left_out_note(label, left_out)]
    element = kit.plain_text_input(
        action_id=action_id,
        placeholder=placeholder,
        initial_value=initial,
        multiline=multiline,
        max_length=max_length,
    )
    return [kit.input_block(block, label, element, optional=optional, hint=hint)]


def menu_field(
    block: str,
    action_id: str,
    label: str,
    words: Mapping[str, str],
    chosen: str | None,
    *,
    left_out: str | None = None,
) -> list[Block]:
    """The choices Tavus documents (``words``: value -> label), the first by default; a
    value Tavus sent that they lack is kept as an extra option, so saving does not reset it."""
    if left_out is not None:
        return [left_out_note(label, left_out)]
    listed = dict(words)
    if chosen is not None and chosen not in listed and fits(chosen, kit.OPTION_VALUE_MAX):
        listed[chosen] = chosen
    options = [kit.option(text, value) for value, text in listed.items()]
    initial = next((o for o in options if o["value"] == chosen), options[0])
    element = kit.static_select(
        action_id=action_id, placeholder=label, options=options, initial_option=initial
    )
    return [kit.input_block(block, label, element)]


def why_not_shown(
    text: str | None,
    limit: int,
    value: object = None,
    parse: Callable[[str], object] | None = None,
) -> str | None:
    """Why ``text`` cannot stand for ``value`` in a field of ``limit`` characters that
    ``parse`` reads back (None: it can, or there is nothing to show)."""
    if text is None:
        return None
    if as_text(text) != text:
        return "holds text Slack cannot show"
    if len(text) > limit:
        return f"is {length_words(text)}, more than this field holds"
    if parse is not None and parse(text) != value:
        return "holds names or lines this field cannot show whole"
    return None


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
