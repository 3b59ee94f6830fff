"""What every resource's listing and delete confirmation look like, whatever the kind.

The "More" button and the "Delete" button carry ``kind:...`` values, so one action handler
serves every kind (``handlers/shared``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.blocks import kit
from bot.blocks.text import code, escape
from bot.domain.nouns import BY_KIND

MORE_ACTION = "list_more"
# A search travels in the "More" button's value; past this it is cut (Slack allows 2,000).
SEARCH_MAX = 500
DELETE_ACTION = "resource_delete"

Blocks = list[dict[str, Any]]


def more_value(kind: str, page: int, filter_word: str | None) -> str:
    return f"{kind}:{page}:{filter_word or ''}"


def parse_more_value(value: str) -> tuple[str, int, str | None] | None:
    kind, _, rest = value.partition(":")
    number, _, filter_word = rest.partition(":")
    if kind not in BY_KIND or not number.isdigit() or not 0 < int(number) < 100_000:
        return None
    return kind, int(number), filter_word or None


def search_text(text: str) -> str | None:
    """What a search listing looks for, on one line and short enough for its "More" button."""
    return " ".join(text.split())[:SEARCH_MAX].strip() or None


def page_message(
    *,
    kind: str,
    lines: Sequence[str],
    page: int,
    page_size: int,
    total: int,
    filter_word: str | None,
    has_more: bool,
    search: bool = False,
) -> tuple[str, Blocks]:
    """One page of a listing: a header, one line per item (split to fit), and "More".

    ``search``: ``filter_word`` is what the user typed to search for (escaped here)."""
    noun = BY_KIND[kind]
    what = f"{filter_word} {noun.plural}" if filter_word else noun.plural
    if search and filter_word:
        what = f"{noun.plural} matching “{escape(filter_word)}”"
    if not lines:
        text = f"No {what} on this Tavus account." if page == 1 else f"No more {what}."
        return kit.message(text, [kit.section(text)])
    first = (page - 1) * page_size + 1
    header = f"*Tavus {what}* ({first}–{first + len(lines) - 1} of {total})"
    blocks: Blocks = [kit.section(header), *kit.sections("\n".join(lines))]
    if has_more:
        more = kit.button(
            "More", action_id=MORE_ACTION, value=more_value(kind, page + 1, filter_word)
        )
        blocks.append(kit.actions(more))
    return kit.message(header, blocks)


def delete_value(kind: str, tavus_id: str, *, hard: bool = False) -> str:
    return f"{kind}:{tavus_id}:{'hard' if hard else 'soft'}"


def parse_delete_value(value: str) -> tuple[str, str, bool] | None:
    kind, _, rest = value.partition(":")
    tavus_id, _, how = rest.partition(":")
    noun = BY_KIND.get(kind)
    if noun is None or not noun.is_id(tavus_id) or how not in ("hard", "soft"):
        return None
    return kind, tavus_id, how == "hard"


def delete_confirmation(
    kind: str, tavus_id: str, consequence: str, *, hard: bool = False
) -> tuple[str, Blocks]:
    """Asks before deleting; the button's own confirm dialog asks once more."""
    how = "Permanently delete" if hard else "Delete"
    text = f"{how} {BY_KIND[kind].kind} {code(tavus_id)}? {consequence}"
    button = delete_button(kind, tavus_id, consequence, hard=hard)
    return kit.message(text, [kit.section(text), kit.actions(button)])


def delete_button(
    kind: str,
    tavus_id: str,
    consequence: str,
    *,
    hard: bool = False,
    action_id: str = DELETE_ACTION,
) -> dict[str, Any]:
    """A red button whose own confirm dialog asks before anything is deleted."""
    how = "Permanently delete" if hard else "Delete"
    return kit.button(
        how,
        action_id=action_id,
        value=delete_value(kind, tavus_id, hard=hard),
        style="danger",
        confirm=kit.confirm_dialog(
            f"{how} {BY_KIND[kind].kind}?",
            f"{tavus_id} will be deleted in Tavus. {consequence}".strip(),
            how,
            "Cancel",
            style="danger",
        ),
    )
