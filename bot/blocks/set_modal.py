"""What the objectives and guardrails forms share: ``Setup`` (what a form carries between
Slack's requests), fields that show a value whole or leave it out with a note, reading a
submitted form back, and the views that say how it went.

An edit form shows each value of a set whole or not at all: a value that would not read back
the same (a prompt longer than a Slack field holds, a menu value too long for an option) is
left out with a note, so submitting the form never cuts or resets it. A value the menus do
not know (a mode Tavus added since) is kept as an extra option.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.blocks import kit
from bot.blocks.conversations import fits, shown_id
from bot.blocks.personas import length_words
from bot.blocks.start_modal import REASON_MAX, message_view
from bot.blocks.text import as_text, escape, truncate

ELSEWHERE = "To change it, use the Tavus dashboard or send a JSON Patch to the Tavus API."
EDITING = (
    "Saving sends only what you change, and nothing if the set changed in Tavus since this "
    "form opened."
)
MENU_TOO_LONG = "holds a value too long for a Slack menu"
CHANGES_SHOWN = 20
LEFT_OUT = "cannot be shown whole in this form"  # a redrawn form no longer knows why

Block = dict[str, Any]
View = dict[str, Any]
Values = Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class Setup:
    """What the form carries between Slack's requests."""

    channel_id: str | None
    count: int = 1
    editing: str | None = None  # the set being edited
    growable: bool = True  # False when Tavus showed one member of the set only
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


def form_view(
    setup: Setup,
    *,
    plural: str,
    callback_id: str,
    blocks: Sequence[Block],
    most: int,
    add_words: str,
    add_action: str,
) -> View:
    """A set's form: ``blocks`` (the guidance, then the set's and its members' fields), and
    a button that redraws it one member longer (``add_action``) while there is room."""
    shown = list(blocks)
    if setup.growable and setup.count < most:
        add = kit.button(add_words, action_id=add_action, value=str(setup.count))
        shown.append(kit.actions(add, block_id=add_action))
    editing = setup.editing is not None
    return kit.modal(
        title=f"Edit {plural}" if editing else f"New {plural}",
        blocks=shown,
        callback_id=callback_id,
        submit="Save" if editing else "Create",
        close="Cancel",
        private_metadata=setup.metadata(),
    )


# -- fields ----------------------------------------------------------------------------------


def left_out_note(label: str, why: str) -> Block:
    """Where a value the form cannot show whole would be: it is not in the form, so
    submitting leaves it as it is."""
    return kit.context(
        f"*{escape(label)}* {escape(why)}, so it is not in this form and saving keeps it as it "
        f"is. {ELSEWHERE}"
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


# -- reading a submitted form back ------------------------------------------------------------


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


def creating_view(plural: str) -> View:
    return message_view(f"New {plural}", f":hourglass_flowing_sand: Creating the {plural}…")


def saving_view(plural: str) -> View:
    return message_view(f"Edit {plural}", ":hourglass_flowing_sand: Saving…")


def created_view(
    plural: str, set_id: str, names: str, *, hint: str, relayed: bool, unrelayed: str
) -> View:
    """``names``: the members, in words; ``hint``: how to use the set; ``unrelayed``: what
    is lost when Tavus cannot call this app back (``relayed`` False)."""
    text = f":white_check_mark: Created {plural} {shown_id(set_id)}: {names}.\n{hint}."
    if not relayed:
        text += f"\n_{unrelayed}_"
    return message_view(f"{plural.capitalize()} created", text)


def saved_view(plural: str, set_id: str, changes: Sequence[str]) -> View:
    return message_view(f"{plural.capitalize()} saved", saved_text(plural, set_id, changes))


def saved_text(plural: str, set_id: str, changes: Sequence[str]) -> str:
    """After an edit of a set; ``changes`` are ``bot.patching.member_changes`` lines, plain
    text, escaped here."""
    if not changes:
        return f":white_check_mark: Nothing to change in {plural} {shown_id(set_id)}."
    lines = [f"• {escape(truncate(line, 300))}" for line in changes[:CHANGES_SHOWN]]
    if len(changes) > CHANGES_SHOWN:
        lines.append(f"_…and {len(changes) - CHANGES_SHOWN} more._")
    heading = f":white_check_mark: Saved {plural} {shown_id(set_id)}:"
    return "\n".join([heading, *lines])
