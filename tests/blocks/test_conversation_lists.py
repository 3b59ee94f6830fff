from __future__ import annotations

from typing import Any

import pytest

from bot.blocks import kit
from bot.blocks.conversation_lists import conversation_details, conversation_line
from bot.blocks.listing import page_message
from bot.tavus import Conversation
from tests.blocks.hostile import AMPERSAND_URL, HUGE_URL, LONG, TEXTS, URLS
from tests.fakes.blockkit import assert_valid_message


def conversation(**fields: Any) -> Conversation:
    values: dict[str, Any] = {"conversation_id": "c123abc456", "status": "active"}
    values.update(fields)
    return Conversation(**values)


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


def test_details_escape_and_explain_the_end() -> None:
    _, blocks = conversation_details(
        conversation(status="ended", shutdown_reason="max_call_duration", conversation_name="a<b"),
        joinable=True,
    )

    text = blocks[0]["text"]["text"]
    assert "*a&lt;b*" in text
    assert "*Ended because* it reached its maximum length" in text


def test_details_link_to_the_call_for_whoever_may_join() -> None:
    text, blocks = conversation_details(
        conversation(conversation_url="https://x.test/c"), joinable=True
    )

    assert text == "Conversation c123abc456"
    assert "*Join link:* <https://x.test/c|https://x.test/c>" in blocks[0]["text"]["text"]


# -- hostile input ---------------------------------------------------------------------------


def hostile(value: object) -> Conversation:
    fields = (
        "conversation_id",
        "conversation_name",
        "status",
        "conversation_url",
        "replica_id",
        "persona_id",
        "created_at",
        "updated_at",
        "shutdown_reason",
    )
    return Conversation(**{field: value for field in fields})


def listing(lines: list[str]) -> tuple[str, list[dict[str, Any]]]:
    """The page the conversation list handler sends, around these lines."""
    return page_message(
        kind="conversation",
        lines=lines,
        page=1,
        page_size=10,
        total=len(lines),
        filter_word=None,
        has_more=True,
    )


@pytest.mark.parametrize("value", TEXTS, ids=range(len(TEXTS)))
@pytest.mark.parametrize("joinable", [True, False])
def test_line_fits_one_section_whatever_tavus_sends(value: object, joinable: bool) -> None:
    line = conversation_line(hostile(value), joinable=joinable)

    # One section per line at most: the page splits between lines, never inside one.
    assert len(line) <= kit.SECTION_TEXT_MAX
    assert "\n" not in line
    assert_valid_message(*listing([line]))


@pytest.mark.parametrize("url", URLS, ids=range(len(URLS)))
def test_line_is_valid_whatever_the_url(url: object) -> None:
    line = conversation_line(conversation(conversation_url=url), joinable=True)

    assert len(line) <= kit.SECTION_TEXT_MAX
    assert "`c123abc456`" in line


@pytest.mark.parametrize("url", [HUGE_URL, AMPERSAND_URL, "javascript:alert(1)", 7])
def test_line_leaves_out_a_link_slack_cannot_take(url: object) -> None:
    line = conversation_line(conversation(conversation_url=url), joinable=True)

    assert line == "`c123abc456` *Untitled* · active"


def test_ten_long_lines_make_a_valid_page_that_keeps_its_first_lines() -> None:
    lines = [
        conversation_line(
            conversation(conversation_id=f"c{i}", conversation_name=LONG), joinable=True
        )
        for i in range(10)
    ]

    text, blocks = listing(lines)

    assert_valid_message(text, blocks)
    assert "`c0` *xxx" in blocks[1]["text"]["text"]


def test_line_escapes_forged_links_and_keeps_names_short() -> None:
    line = conversation_line(
        conversation(conversation_name="<https://evil|click> & " + LONG, status="<!here>"),
        joinable=True,
    )

    assert "<https://evil" not in line
    assert "*&lt;https://evil|click&gt; &amp; xxx" in line
    assert "· &lt;!here&gt;" in line
    assert len(line) < 400


@pytest.mark.parametrize("value", TEXTS, ids=range(len(TEXTS)))
@pytest.mark.parametrize("joinable", [True, False])
def test_details_are_valid_whatever_tavus_sends(value: object, joinable: bool) -> None:
    assert_valid_message(*conversation_details(hostile(value), joinable=joinable))


@pytest.mark.parametrize("url", URLS, ids=range(len(URLS)))
def test_details_are_valid_whatever_the_url(url: object) -> None:
    assert_valid_message(*conversation_details(conversation(conversation_url=url), joinable=True))


def test_details_with_long_values_keep_every_fact() -> None:
    text, blocks = conversation_details(
        conversation(
            conversation_name=LONG,
            persona_id=LONG,
            shutdown_reason="<!channel> " + LONG,
            conversation_url="https://x.test/c",
        ),
        joinable=True,
    )
    shown = "\n".join(block["text"]["text"] for block in blocks)

    assert_valid_message(text, blocks)
    for fact in ("*Status:* active", "*Persona:* `xxx", "*Ended because* &lt;!channel&gt; xxx"):
        assert fact in shown
    assert "*Join link:* <https://x.test/c|https://x.test/c>" in shown


def test_details_without_a_usable_url_have_no_join_link() -> None:
    _, blocks = conversation_details(conversation(conversation_url=HUGE_URL), joinable=True)

    assert "Join link" not in blocks[0]["text"]["text"]
