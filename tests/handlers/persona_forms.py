"""Persona forms as Slack sends them back: each input as shown, some changed by the user."""

from __future__ import annotations

from typing import Any

Values = dict[str, dict[str, dict[str, Any]]]


def _as_shown(element: dict[str, Any]) -> dict[str, Any]:
    state: dict[str, Any] = {"type": element["type"]}
    if element["type"] == "plain_text_input":
        state["value"] = element.get("initial_value")
    elif element["type"].startswith("multi_"):
        state["selected_options"] = element.get("initial_options", [])
    else:
        state["selected_option"] = element.get("initial_option")
    return state


def _changed(element: dict[str, Any], value: Any) -> dict[str, Any]:
    state = _as_shown(element)
    if element["type"] == "plain_text_input":
        state["value"] = value
    elif element["type"].startswith("multi_"):
        state["selected_options"] = [{"value": v} for v in value]
    else:
        state["selected_option"] = None if value is None else {"value": value}
    return state


def submitted(view: dict[str, Any], **changes: Any) -> Values:
    """Every input of ``view`` as shown, except the ``changes`` (block id -> typed text, a
    chosen id, a list of ids for a multi-select, or None: emptied)."""
    values: Values = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element, block_id = block["element"], block["block_id"]
        state = _changed(element, changes[block_id]) if block_id in changes else _as_shown(element)
        values[block_id] = {element["action_id"]: state}
    return values
