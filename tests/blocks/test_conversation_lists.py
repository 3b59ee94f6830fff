from __future__ import annotations

from typing import Any

from bot.blocks.conversation_lists import (
    DELETE_ACTION,
    MORE_ACTION,
    conversation_details,
    conversation_line,
    conversation_page,
    delete_confirmation,
)
from bot.tavus import Conversation, Page


def conversation(**fields: Any) -> Conversation:
    values: dict[str, Any] = {"conversation_id": "c123abc456", "status": "active"}
    values.update(fields)
    return Conversation(**values)


def page(count: int, *, number: int = 1, limit: int = 2, total: int = 3) -> Page[Conversation]:
    items = tuple(conversation(conversation_id=f"c{i:09d}") for i in range(count))
    return Page(items=items, total_count=total, page=number, limit=limit)


def test_line_of_an_active_conversation_has_a_join_link() -> None:
    active = conversation(conversation_name="<!channel>", conversation_url="https://x.test/c")
    line = conversation_line(active, joinable=True)

    assert "<!channel>" not in line
    assert "&lt;!channel&gt;" in line
    assert "<https://x.test/c|join>" in line


def test_someone_elses_call_is_listed_without_its_join_link() -> None:
    active = conversation(conversation_url="https://x.test/c")
    assert "x.test" not in conversation_line(active, joinable=False)


def test_line_of_an_ended_conversation_has_no_join_link() -> None:
    ended = conversation(status="ended", conversation_url="https://x.test/c")
    line = conversation_line(ended, joinable=True)

    assert "join" not in line
    assert "*Untitled*" in line


def test_page_with_more_has_a_more_button() -> None:
    header, blocks = conversation_page(page(2), status="active")

    assert header == "*Tavus active conversations* (1–2 of 3)"
    more = blocks[-1]["elements"][0]
    assert more["action_id"] == MORE_ACTION
    assert more["value"] == "2:active"


def test_last_page_has_no_more_button() -> None:
    header, blocks = conversation_page(page(1, number=2), status=None)

    assert header == "*Tavus conversations* (3–3 of 3)"
    assert all(block["type"] != "actions" for block in blocks)


def test_empty_pages() -> None:
    first, _ = conversation_page(page(0, total=0), status=None)
    later, _ = conversation_page(page(0, number=3), status="ended")

    assert first == "No conversations on this Tavus account."
    assert later == "No more ended conversations."


def test_details_escape_and_explain_the_end() -> None:
    _, blocks = conversation_details(
        conversation(status="ended", shutdown_reason="max_call_duration", conversation_name="a<b"),
        joinable=True,
    )

    text = blocks[0]["text"]["text"]
    assert "*a&lt;b*" in text
    assert "*Ended because* it reached its maximum length" in text


def test_delete_confirmation_button() -> None:
    _, blocks = delete_confirmation("c123abc456")

    button = blocks[1]["elements"][0]
    assert button["action_id"] == DELETE_ACTION
    assert button["value"] == "c123abc456"
    assert button["confirm"]["style"] == "danger"
