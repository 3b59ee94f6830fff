"""Block Kit for objectives: a completion in a call's thread, the set's card, listings, details.

A completion is the one message both interpreters post (the conversation's, when Tavus calls
the conversation's URL, and the set's, when it calls the objective's): the output variables
are fields, each key and value escaped and capped, at most ten of them shown.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from bot.blocks import kit
from bot.blocks.conversations import ID_SHOWN_MAX, one_line, shown_id, user_mention
from bot.blocks.text import as_text, code, escape, plain, truncate
from bot.domain import objectives as domain
from bot.tavus import Objective, ObjectiveSet
from storage import Resource

Blocks = list[dict[str, Any]]

NAME_SHOWN_MAX = 100
VARIABLE_KEY_MAX = 100
VARIABLE_VALUE_MAX = 300
MAX_VARIABLES_SHOWN = kit.SECTION_FIELDS_MAX
PROMPT_SHOWN_MAX = 300
NAMES_IN_LINE = 5
_TIME_MAX = 64
_WORD_MAX = 20


# -- in a call's thread ----------------------------------------------------------------------


def completed_message(
    name: object,
    variables: object,
    *,
    conversation_id: str | None = None,
    objectives_id: str | None = None,
) -> tuple[str, Blocks]:
    """``conversation_id`` and ``objectives_id`` are said when known: the message may land
    outside the call's thread (a call not started from Slack)."""
    title = f":dart: Objective *{one_line(name or 'unnamed', NAME_SHOWN_MAX)}* completed."
    pairs = variable_pairs(variables)
    lines = [title, *(f"• *{key}:* {value}" for key, value in pairs[:MAX_VARIABLES_SHOWN])]
    if len(pairs) > MAX_VARIABLES_SHOWN:
        lines.append(f"_…and {len(pairs) - MAX_VARIABLES_SHOWN} more._")
    blocks: Blocks = [kit.section(title)]
    if pairs:
        blocks.append(kit.fields_section(*(f"*{key}*\n{value}" for key, value in pairs)))
    where = _where(conversation_id, objectives_id)
    if where:
        blocks.append(kit.context(where))
    return kit.message("\n".join(lines), blocks)


def variable_pairs(variables: object) -> list[tuple[str, str]]:
    """Each output variable as escaped, capped mrkdwn (key, value); a value that is not text
    is shown as JSON, an empty one as a dash, and anything but an object as no variables."""
    if not isinstance(variables, Mapping):
        return []
    pairs = []
    for key, value in variables.items():
        shown = value if isinstance(value, str) else json.dumps(value, default=str)
        shown = " ".join(as_text(shown).split()) or kit.EMPTY
        pairs.append(
            (escape(plain(key, VARIABLE_KEY_MAX)), escape(truncate(shown, VARIABLE_VALUE_MAX)))
        )
    return pairs


def _where(conversation_id: str | None, objectives_id: str | None) -> str:
    parts = []
    if conversation_id:
        parts.append(f"Conversation {shown_id(conversation_id)}")
    if objectives_id:
        parts.append(f"objectives {shown_id(objectives_id)}")
    return " · ".join(parts)


# -- the set's card (it has none in Slack; this is what stands for it if one is needed) -------


def render_card(resource: Resource) -> tuple[str, Blocks]:
    names = resource.details.get("objective_names")
    return objectives_card(
        objectives_id=resource.tavus_id or "",
        names=names if isinstance(names, list) else [],
        status=resource.status,
        owner_user_id=resource.owner_user_id,
    )


def objectives_card(
    *, objectives_id: str, names: Sequence[object], status: str | None, owner_user_id: str
) -> tuple[str, Blocks]:
    title = f"{user_mention(owner_user_id)} created Tavus objectives"
    state = ":wastebasket: *Deleted*" if status == domain.DELETED else usage_hint(objectives_id)
    blocks: Blocks = [
        kit.section(f"{title}\n*Objectives:* {names_words(names)}"),
        kit.context(state),
        kit.context(f"Objectives {shown_id(objectives_id)}"),
    ]
    return kit.message(f"Tavus objectives {one_line(objectives_id, ID_SHOWN_MAX)}", blocks)


def usage_hint(objectives_id: str) -> str:
    return (
        f"Give a persona {code('objectives_id')} {shown_id(objectives_id)}: each objective a "
        "call completes is posted in that call's thread"
    )


def names_words(names: Sequence[object], limit: int = NAMES_IN_LINE) -> str:
    """``*a*, *b*, *c* and 2 more``: names escaped, each on one line."""
    shown = [f"*{one_line(name, NAME_SHOWN_MAX)}*" for name in names[:limit]]
    if not shown:
        return "none"
    more = len(names) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


# -- listings and details --------------------------------------------------------------------


def objectives_line(found: ObjectiveSet) -> str:
    names = [o.objective_name for o in found.objectives]
    count = f"{len(names)} objective{'s' if len(names) != 1 else ''}"
    line = f"{shown_id(found.objectives_id)} · {count}: {names_words(names)}"
    if found.created_at:
        line += f" · created {one_line(found.created_at, _TIME_MAX)}"
    return line


def objectives_details(found: ObjectiveSet, *, relayed: bool) -> tuple[str, Blocks]:
    """``relayed``: its completions reach Slack (it was created here, with a callback URL)."""
    title = f"*Objectives* {shown_id(found.objectives_id)}"
    if found.created_at:
        title += f" · created {one_line(found.created_at, _TIME_MAX)}"
    parts = [title, *(objective_words(i, o) for i, o in enumerate(found.objectives, 1))]
    if relayed:
        parts.append(f"_{usage_hint(found.objectives_id)}._")
    else:
        parts.append(
            "_Its completions are not posted in Slack: it was not created here, or without a "
            "public URL Tavus could call._"
        )
    text = f"Objectives {one_line(found.objectives_id, ID_SHOWN_MAX)}"
    return kit.message(text, kit.sections("\n\n".join(parts)))


def objective_words(number: int, objective: Objective) -> str:
    mode = one_line(objective.confirmation_mode or "auto", _WORD_MAX)
    modality = one_line(objective.modality or "verbal", _WORD_MAX)
    name = one_line(objective.objective_name or "unnamed", NAME_SHOWN_MAX)
    lines = [f"*{number}. {name}* · confirmed {mode} · {modality}"]
    prompt = " ".join(as_text(objective.objective_prompt).split())
    if prompt:
        lines.append(f"> {escape(truncate(prompt, PROMPT_SHOWN_MAX))}")
    if objective.output_variables:
        variables = ", ".join(code(plain(v, VARIABLE_KEY_MAX)) for v in objective.output_variables)
        lines.append(f"Output: {variables}")
    nexts = [f"*{one_line(n, NAME_SHOWN_MAX)}*" for n in objective.next_required_objectives]
    branches = [
        f"*{one_line(n, NAME_SHOWN_MAX)}* if {one_line(c, PROMPT_SHOWN_MAX)}"
        for n, c in objective.next_conditional_objectives.items()
    ]
    if nexts or branches:
        lines.append("Next: " + "; ".join(nexts + branches))
    return "\n".join(lines)
