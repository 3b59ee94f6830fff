"""The "My defaults" modal: the persona and replica `/tavus call` and `/tavus video` use
when the command names none, before the workspace's defaults."""

from __future__ import annotations

from typing import Any

from bot.blocks import kit, pickers
from bot.blocks.conversations import shown_id
from bot.blocks.pickers import Named, Values

CALLBACK_ID = "my_defaults"
B_PERSONA, B_REPLICA = "persona", "replica"

View = dict[str, Any]


def defaults_modal(
    *,
    persona: Named | None,
    replica: Named | None,
    workspace_persona: str | None,
    workspace_replica: str | None,
) -> View:
    """``persona`` and ``replica``: the user's current choices (name, id), preselected."""
    blocks = [
        kit.section(
            "Used by `/tavus call` and `/tavus video` when you name no persona or replica. "
            "A persona or replica typed in the command still wins."
        ),
        pickers.picker_input(
            B_PERSONA,
            "Your default persona",
            pickers.PERSONA_PICKER,
            placeholder="Type to search your personas",
            initial=persona,
            optional=True,
            hint=_fallback_hint(workspace_persona),
        ),
        pickers.picker_input(
            B_REPLICA,
            "Your default replica",
            pickers.REPLICA_PICKER,
            placeholder="Type to search ready replicas",
            initial=replica,
            optional=True,
            hint=_fallback_hint(workspace_replica, replica=True),
        ),
    ]
    return kit.modal(
        title="My defaults", blocks=blocks, callback_id=CALLBACK_ID, submit="Save", close="Cancel"
    )


def _fallback_hint(workspace: str | None, *, replica: bool = False) -> str:
    if workspace:
        return f"Empty: the workspace's default, {workspace}."
    if replica:
        return "Empty: the persona's own replica."
    return "Empty: the form asks each time."


def read_defaults(values: Values) -> tuple[str | None, str | None]:
    """The persona and replica ids chosen (None: cleared)."""
    return pickers.chosen(values, B_PERSONA), pickers.chosen(values, B_REPLICA)


def saved_view(persona_id: str | None, replica_id: str | None) -> View:
    persona = shown_id(persona_id) if persona_id else "none (the workspace's)"
    replica = shown_id(replica_id) if replica_id else "none (the workspace's, or the persona's)"
    text = f":white_check_mark: Saved.\n*Default persona:* {persona}\n*Default replica:* {replica}"
    return kit.modal(title="My defaults", blocks=kit.sections(text), close="Close")
