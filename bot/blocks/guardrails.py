"""Block Kit for guardrails: a trigger in a call's thread, the set's card, listings, details.

A trigger is the one warning both interpreters post (the conversation's, when Tavus calls
the conversation's URL, and the set's, when it calls the guardrail's).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.blocks import kit
from bot.blocks.conversations import ID_SHOWN_MAX, one_line, shown_id, user_mention
from bot.blocks.objectives import names_words
from bot.blocks.text import as_text, code, escape, truncate
from bot.domain import guardrails as domain
from bot.tavus import Guardrail, GuardrailSet
from storage import Resource

Blocks = list[dict[str, Any]]

NAME_SHOWN_MAX = 100
PROMPT_SHOWN_MAX = 300
_TIME_MAX = 64
_WORD_MAX = 20


# -- in a call's thread ----------------------------------------------------------------------


def triggered_message(
    name: object | None,
    *,
    conversation_id: str | None = None,
    guardrails_id: str | None = None,
) -> tuple[str, Blocks]:
    """``conversation_id`` and ``guardrails_id`` are said when known: the warning may land
    outside the call's thread (a call not started from Slack)."""
    if name is not None and as_text(name).strip():
        text = f":warning: Guardrail *{one_line(name, NAME_SHOWN_MAX)}* was triggered in this call."
    else:
        text = ":warning: A guardrail was triggered in this call."
    blocks: Blocks = [kit.section(text)]
    where = [f"Conversation {shown_id(conversation_id)}"] if conversation_id else []
    if guardrails_id:
        where.append(f"guardrails {shown_id(guardrails_id)}")
    if where:
        blocks.append(kit.context(" · ".join(where)))
    return kit.message(text, blocks)


# -- the set's card (it has none in Slack; this is what stands for it if one is needed) -------


def render_card(resource: Resource) -> tuple[str, Blocks]:
    names = resource.details.get("guardrail_names")
    return guardrails_card(
        guardrails_id=resource.tavus_id or "",
        name=resource.name,
        names=names if isinstance(names, list) else [],
        status=resource.status,
        owner_user_id=resource.owner_user_id,
    )


def guardrails_card(
    *,
    guardrails_id: str,
    name: str | None,
    names: Sequence[object],
    status: str | None,
    owner_user_id: str,
) -> tuple[str, Blocks]:
    title = f"{user_mention(owner_user_id)} created Tavus guardrails"
    set_name = one_line(name or "Untitled guardrails")
    state = ":wastebasket: *Deleted*" if status == domain.DELETED else usage_hint(guardrails_id)
    blocks: Blocks = [
        kit.section(f"{title}\n*Name:* {set_name}   *Guardrails:* {names_words(names)}"),
        kit.context(state),
        kit.context(f"Guardrails {shown_id(guardrails_id)}"),
    ]
    return kit.message(f"Tavus guardrails {one_line(guardrails_id, ID_SHOWN_MAX)}", blocks)


def usage_hint(guardrails_id: str) -> str:
    return (
        f"Give a persona {code('guardrails_id')} {shown_id(guardrails_id)}: each time one "
        "triggers, a warning is posted in the call's thread"
    )


# -- listings and details --------------------------------------------------------------------


def guardrails_line(found: GuardrailSet) -> str:
    names = [g.guardrail_name for g in found.guardrails]
    count = f"{len(names)} guardrail{'s' if len(names) != 1 else ''}"
    set_name = one_line(found.name or "Untitled")
    line = f"{shown_id(found.guardrails_id)} *{set_name}* · {count}: {names_words(names)}"
    if found.created_at:
        line += f" · created {one_line(found.created_at, _TIME_MAX)}"
    return line


def guardrails_details(found: GuardrailSet, *, relayed: bool) -> tuple[str, Blocks]:
    """``relayed``: its triggers reach Slack (it was created here, with a callback URL)."""
    title = f"*{one_line(found.name or 'Untitled guardrails')}* {shown_id(found.guardrails_id)}"
    if found.created_at:
        title += f" · created {one_line(found.created_at, _TIME_MAX)}"
    parts = [title, *(guardrail_words(i, g) for i, g in enumerate(found.guardrails, 1))]
    if relayed:
        parts.append(f"_{usage_hint(found.guardrails_id)}._")
    else:
        parts.append(
            "_Its triggers are not posted in Slack: it was not created here, or without a "
            "public URL Tavus could call._"
        )
    text = f"Guardrails {one_line(found.guardrails_id, ID_SHOWN_MAX)}"
    return kit.message(text, kit.sections("\n\n".join(parts)))


def guardrail_words(number: int, guardrail: Guardrail) -> str:
    name = one_line(guardrail.guardrail_name or "unnamed", NAME_SHOWN_MAX)
    modality = one_line(guardrail.modality or "verbal", _WORD_MAX)
    lines = [f"*{number}. {name}* · {modality}"]
    prompt = " ".join(as_text(guardrail.guardrail_prompt).split())
    if prompt:
        lines.append(f"> {escape(truncate(prompt, PROMPT_SHOWN_MAX))}")
    return "\n".join(lines)
