"""Type-ahead pickers for Tavus ids, for any modal: one action id per kind of id.

A modal offers personas (replicas, voices, documents...) by putting that kind's action id
on an `external_select` or `multi_external_select` (``picker_input``,
``multi_picker_input``). ``handlers/shared/pickers.py`` answers every one of them from the
Tavus list of its kind, so no family writes an options handler of its own. An option's value
is the Tavus id itself (a voice's `voice_name`), its label "Name (id)".

The lists are kept a few seconds (``bot.choices``) under ``cache_key(action_id)``: whoever
creates, renames or deletes something forgets that key, so the picker shows the change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bot.blocks import kit
from bot.blocks.text import as_text, plain
from bot.domain.replicas import READY_CHOICES_KEY

# The action ids: stable names other families' modals use.
PERSONA_PICKER = "pick_persona"
REPLICA_PICKER = "pick_replica"  # ready replicas only: the others cannot be used
VOICE_PICKER = "pick_voice"  # stock voices; the value is the `voice_name` slug
DOCUMENT_PICKER = "pick_document"
OBJECTIVES_PICKER = "pick_objectives"
GUARDRAILS_PICKER = "pick_guardrails"
DICTIONARY_PICKER = "pick_dictionary"
PICKERS = (
    PERSONA_PICKER,
    REPLICA_PICKER,
    VOICE_PICKER,
    DOCUMENT_PICKER,
    OBJECTIVES_PICKER,
    GUARDRAILS_PICKER,
    DICTIONARY_PICKER,
)

# The value of the one option shown when Tavus could not list anything: never submitted.
UNAVAILABLE = "unavailable"
UNAVAILABLE_ERROR = "Tavus could not list these just now: open the list again and choose."

# Replicas and voices keep the keys the code that forgets them already used.
_CACHE_KEYS = {REPLICA_PICKER: READY_CHOICES_KEY, VOICE_PICKER: "voices"}

Block = dict[str, Any]
Named = tuple[str | None, str]  # (name, Tavus id), as `bot.choices.Choice`
Values = Mapping[str, Mapping[str, Any]]  # a submitted view's `state.values`

_ID_ROOM = 3  # " (" and ")"
_NAME_MIN = 8


def cache_key(action_id: str) -> str:
    """Where a picker's list is cached: forget it after a change (``ChoiceCache.forget``)."""
    return _CACHE_KEYS.get(action_id, action_id)


def option_label(name: object, tavus_id: str) -> str:
    """ "Sales Coach (p48fdf065d6b)": a long name is cut, so the id still shows."""
    shown = " ".join(as_text(name).split())
    if not shown:
        return plain(tavus_id, kit.OPTION_TEXT_MAX)
    room = kit.OPTION_TEXT_MAX - len(tavus_id) - _ID_ROOM
    if room < _NAME_MIN:
        return plain(f"{shown} ({tavus_id})", kit.OPTION_TEXT_MAX)
    return f"{plain(shown, room)} ({tavus_id})"


def choice_option(name: object, tavus_id: str) -> Block | None:
    """An option for a Tavus id; None when the id cannot be a value (a cut id picks another)."""
    if not isinstance(tavus_id, str) or not tavus_id or len(tavus_id) > kit.OPTION_VALUE_MAX:
        return None
    if as_text(tavus_id) != tavus_id:  # not valid Unicode: Slack could not send it back
        return None
    return kit.option(option_label(name, tavus_id), tavus_id)


def picker_input(
    block_id: str,
    label: str,
    action_id: str,
    *,
    placeholder: str,
    initial: Named | None = None,
    optional: bool = False,
    hint: str | None = None,
) -> Block:
    """One Tavus id, chosen by typing part of its name; ``initial`` is preselected."""
    chosen_option = choice_option(*initial) if initial is not None else None
    element = kit.external_select(
        action_id=action_id,
        placeholder=placeholder,
        min_query_length=0,
        initial_option=chosen_option,
    )
    return kit.input_block(block_id, label, element, optional=optional, hint=hint)


def multi_picker_input(
    block_id: str,
    label: str,
    action_id: str,
    *,
    placeholder: str,
    initial: Iterable[Named] = (),
    optional: bool = True,
    hint: str | None = None,
    max_selected_items: int | None = None,
) -> Block:
    """Several Tavus ids; ``initial`` are preselected (ids no option can carry are left out)."""
    options = [option for name, tavus_id in initial if (option := choice_option(name, tavus_id))]
    element = kit.multi_external_select(
        action_id=action_id,
        placeholder=placeholder,
        min_query_length=0,
        initial_options=options,
        max_selected_items=max_selected_items,
    )
    return kit.input_block(block_id, label, element, optional=optional, hint=hint)


def _state(values: Values, block_id: str) -> Mapping[str, Any]:
    return next(iter(values.get(block_id, {}).values()), None) or {}


def chosen(values: Values, block_id: str) -> str | None:
    """The id picked in a single picker, or None."""
    option = _state(values, block_id).get("selected_option") or {}
    value = option.get("value") if isinstance(option, Mapping) else None
    return value if isinstance(value, str) and value else None


def chosen_all(values: Values, block_id: str) -> tuple[str, ...]:
    """The ids picked in a multi picker, in the order shown, without repeats."""
    options = _state(values, block_id).get("selected_options") or []
    picked = (o.get("value") for o in options if isinstance(o, Mapping))
    return tuple(dict.fromkeys(v for v in picked if isinstance(v, str) and v))


def unavailable_errors(values: Values, block_ids: Sequence[str] | None = None) -> dict[str, str]:
    """Inline errors for pickers left on the "Tavus could not list" note (every block, or
    ``block_ids``): that note is not an id and must not reach Tavus."""
    errors = {}
    for block_id in values if block_ids is None else block_ids:
        if chosen(values, block_id) == UNAVAILABLE or UNAVAILABLE in chosen_all(values, block_id):
            errors[block_id] = UNAVAILABLE_ERROR
    return errors
