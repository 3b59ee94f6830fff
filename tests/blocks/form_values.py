"""A view's inputs submitted as shown: `view.state.values` the way Slack sends them back."""

from __future__ import annotations

from typing import Any

Values = dict[str, dict[str, dict[str, Any]]]


def submitted(view: dict[str, Any], **typed: str | None) -> Values:
    """Every input of ``view`` with its initial value, except the ``typed`` block ids,
    which hold what was typed there (None: emptied)."""
    values: Values = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        state: dict[str, Any] = {"type": element["type"]}
        if element["type"] == "plain_text_input":
            state["value"] = typed.get(block["block_id"], element.get("initial_value"))
        elif element["type"] in ("static_select", "external_select"):
            chosen = typed.get(block["block_id"])
            option = {"value": chosen} if chosen is not None else element.get("initial_option")
            state["selected_option"] = option
        values[block["block_id"]] = {element["action_id"]: state}
    return values
