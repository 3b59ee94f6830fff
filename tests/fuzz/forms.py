"""A modal's state as Slack submits it, built from the view the app opened.

Slack sends every input element of the view in ``view.state.values`` (``{block_id:
{action_id: {type, value...}}}``), in the shape its element type dictates: ``value`` for text
and numbers, ``selected_option`` for a menu, ``selected_conversation`` for a channel picker.
``state_values`` walks the view and asks a chooser for each element's state, so the crawl
(sensible values) and the properties (hostile ones) build the same shapes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from hypothesis import strategies as st

from bot.blocks.pickers import UNAVAILABLE
from tests.fakes.signing import API_APP_ID, TEAM_ID
from tests.fuzz.strategies import any_text, ids, urls

Element = Mapping[str, Any]
Chooser = Callable[[str, str, Element], dict[str, Any]]

TEXT_INPUTS = ("plain_text_input", "url_text_input", "email_text_input", "number_input")
SINGLE_MENUS = ("static_select", "external_select", "radio_buttons")
MULTI_MENUS = ("multi_static_select", "multi_external_select", "checkboxes")
# Slack's state key for each picker of Slack objects, and an id of the right kind.
PICKERS = {
    "conversations_select": ("selected_conversation", "C123"),
    "channels_select": ("selected_channel", "C123"),
    "users_select": ("selected_user", "U123"),
    "multi_conversations_select": ("selected_conversations", ["C123"]),
    "multi_channels_select": ("selected_channels", ["C123"]),
    "multi_users_select": ("selected_users", ["U123"]),
    "datepicker": ("selected_date", "2030-01-01"),
    "timepicker": ("selected_time", "12:00"),
}
SUBMITTED = frozenset({*TEXT_INPUTS, *SINGLE_MENUS, *MULTI_MENUS, *PICKERS})
_PLACES = ["C0NOTMEMBER", "D0DIRECT", "G0PRIVATE", "C0ARCHIVED"]
OTHER_PICKS: dict[str, list[Any]] = {
    "conversations_select": _PLACES,
    "channels_select": _PLACES[:1],
    "users_select": ["U0OTHER", "W0ENTERPRISE", "UBOT"],
    "multi_conversations_select": [[place] for place in _PLACES],
    "multi_channels_select": [["C0NOTMEMBER"]],
    "multi_users_select": [["U0OTHER"], ["UBOT"]],
    "datepicker": ["1970-01-01", "2999-12-31"],
    "timepicker": ["00:00", "23:59"],
}


def inputs(view: Mapping[str, Any]) -> Iterator[tuple[str, str, Element]]:
    """(block_id, action_id, element) of every element whose state Slack submits."""
    for block in view.get("blocks") or ():
        if not isinstance(block, Mapping) or not isinstance(block.get("block_id"), str):
            continue
        for element in (block.get("element"), block.get("accessory"), *block.get("elements", ())):
            if not isinstance(element, Mapping) or not isinstance(element.get("action_id"), str):
                continue
            if element.get("type") in SUBMITTED:
                yield block["block_id"], element["action_id"], element


def state_values(view: Mapping[str, Any], choose: Chooser) -> dict[str, dict[str, Any]]:
    values: dict[str, dict[str, Any]] = {}
    for block_id, action_id, element in inputs(view):
        values.setdefault(block_id, {})[action_id] = {
            "type": element["type"],
            **choose(block_id, action_id, element),
        }
    return values


def options_of(element: Element) -> list[Mapping[str, Any]]:
    groups = element.get("option_groups") or []
    grouped = [option for group in groups for option in group.get("options", [])]
    return [*(element.get("options") or []), *grouped]


def option(value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": value[:75] or "—"}, "value": value}


def submission(
    view: Mapping[str, Any], values: dict[str, Any], *, user_id: str, trigger_id: str
) -> dict[str, Any]:
    """A view_submission of ``view`` (as Slack holds it, with its id) in the state ``values``."""
    return {
        "type": "view_submission",
        "user": {"id": user_id, "username": f"user-{user_id.lower()}", "team_id": TEAM_ID},
        "team": {"id": TEAM_ID, "domain": "fake"},
        "api_app_id": API_APP_ID,
        "trigger_id": trigger_id,
        "view": {
            **view,
            "id": view.get("id", "V00000001"),
            "team_id": TEAM_ID,
            "type": "modal",
            "private_metadata": view.get("private_metadata", ""),
            "state": {"values": values},
            "hash": "1700000000.hash",
        },
        "response_urls": [],
    }


def suggestion(
    view: Mapping[str, Any] | None, block_id: str, action_id: str, typed: str, *, user_id: str
) -> dict[str, Any]:
    """What Slack sends as someone types into an external select."""
    payload: dict[str, Any] = {
        "type": "block_suggestion",
        "user": {"id": user_id, "username": f"user-{user_id.lower()}", "team_id": TEAM_ID},
        "team": {"id": TEAM_ID, "domain": "fake"},
        "api_app_id": API_APP_ID,
        "action_id": action_id,
        "block_id": block_id,
        "value": typed,
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id")}
        payload["view"] = {**view, "state": {"values": {}}}
    return payload


# -- hostile state ----------------------------------------------------------------------------


numbers = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["0", "-0", "1e309", "0x10", "1_000", " 42 ", "٣", "NaN", "Infinity"]),
)


@st.composite
def hostile_state(draw: st.DrawFn, element: Element, known_ids: list[str]) -> dict[str, Any]:
    """A state Slack could submit for ``element``: hostile typed text, and any choice the
    app could have offered."""
    kind = element["type"]
    # An external select submits an option the app's picker offered: an id it listed (maybe
    # deleted since, or of another kind), or the note it shows when Tavus is slow.
    chosen_values = st.sampled_from([*known_ids, UNAVAILABLE]) | ids
    if kind in TEXT_INPUTS:
        return {"value": draw(_typed(element, kind))}
    if kind in SINGLE_MENUS:
        return {"selected_option": draw(st.none() | _choices(element, chosen_values))}
    if kind in MULTI_MENUS:
        return {"selected_options": draw(st.lists(_choices(element, chosen_values), max_size=4))}
    key, sample = PICKERS[kind]
    # Real ids only (Slack picks them), of places the bot may not be: a DM, a private group.
    others = st.sampled_from([sample, *OTHER_PICKS.get(kind, [])])
    if isinstance(sample, list):
        return {key: draw(st.lists(others.map(lambda pick: pick[0]), max_size=3))}
    return {key: draw(others | st.none())}


def _typed(element: Element, kind: str) -> st.SearchStrategy[str | None]:
    if kind == "number_input":
        return st.none() | numbers | st.just(str(element.get("initial_value") or "1"))
    longest = int(element.get("max_length") or 3000)
    shortest = int(element.get("min_length") or 0)
    text = st.one_of(any_text, urls, ids, numbers).map(lambda value: value[:longest])
    # Slack holds typing to the element's length limits: shorter or longer never arrives.
    fitting = text.filter(lambda value: len(value) >= shortest)
    if shortest:
        return fitting
    return st.none() | fitting  # left empty


def _choices(element: Element, chosen_values: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    offered = options_of(element)
    if element["type"] in ("static_select", "multi_static_select", "checkboxes", "radio_buttons"):
        # Slack only submits an option the menu offered.
        return st.sampled_from(offered) if offered else st.nothing()
    return chosen_values.map(lambda value: option(value[:150] or "x"))
