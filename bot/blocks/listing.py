"""What every resource's listing and delete confirmation look like, whatever the kind.

The "More" button and the "Delete" button carry ``kind:...`` values, so one action handler
serves every kind (``handlers/shared``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.blocks import kit
from bot.blocks.text import code
from bot.domain.nouns import BY_KIND

MORE_ACTION = "list_more"
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


def page_message(
    *,
    kind: str,
    lines: Sequence[str],
    page: int,
    page_size: int,
    total: int,
    filter_word: str | None,
    has_more: bool,
) -> tuple[str, Blocks]:
    """One page of a listing: a header, one line per item (split to fit), and "More"."""
    noun = BY_KIND[kind]
    what = f"{filter_word} {noun.plural}" if filter_word else noun.plural
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
    noun = BY_KIND[kind]
    how = "Permanently delete" if hard else "Delete"
    text = f"{how} {noun.kind} {code(tavus_id)}? {consequence}"
    button = kit.button(
        how,
        action_id=DELETE_ACTION,
        value=delete_value(kind, tavus_id, hard=hard),
        style="danger",
        confirm=kit.confirm_dialog(
            f"{how} {noun.kind}?",
            f"{tavus_id} will be deleted in Tavus. {consequence}",
            how,
            "Cancel",
            style="danger",
        ),
    )
    return kit.message(text, [kit.section(text), kit.actions(button)])
