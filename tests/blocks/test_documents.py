from __future__ import annotations

import json
from typing import Any

import pytest

from bot.blocks.document_modal import (
    B_ANYWAY,
    B_DEPTH,
    B_URL,
    DocumentForm,
    document_modal,
    read_document_form,
)
from bot.blocks.documents import (
    document_card,
    document_details,
    document_line,
    error_message,
    ready_message,
    recrawl_started_message,
    unsupported_warning,
)
from bot.blocks.listing import page_message, parse_more_value
from bot.domain import documents as domain
from bot.tavus import Document
from tests.blocks.hostile import TEXTS, URLS
from tests.fakes.blockkit import assert_valid_message, assert_valid_view

SITE = "https://docs.example.com/"
DOCUMENT_ID = "d8-5c71baca86fc"


def card(status: str | None, **details: Any) -> tuple[str, list[dict[str, Any]]]:
    return document_card(
        document_id=DOCUMENT_ID,
        name="Docs site",
        details={"document_url": SITE, "tags": ["docs", "web"], **details},
        status=status,
        owner_user_id="U0123ABCD",
    )


@pytest.mark.parametrize(
    ("status", "details", "words"),
    [
        (None, {}, "Started"),
        ("starting", {}, "Started"),
        (domain.STARTED, {}, "Started"),
        (domain.PROCESSING, {"progress": 40}, "▓▓▓▓░░░░░░ 40%"),
        (domain.PROCESSING, {}, "*Processing* in progress"),
        (domain.READY, {"pages": 3}, "*Ready*: personas and calls can use it · 3 pages read"),
        (domain.ERROR, {"error": "file_empty"}, "*Failed*: the file is empty"),
        (domain.RECRAWLING, {}, "*Recrawling* the website"),
        (domain.RECRAWLING, {"progress": 70}, "70%"),
        (domain.DELETED, {}, "Deleted"),
    ],
)
def test_the_card_says_the_state(status: str | None, details: dict[str, Any], words: str) -> None:
    text, blocks = card(status, **details)

    shown = json.dumps(blocks, ensure_ascii=False)
    assert words in shown
    assert f"<{SITE}|website>" in shown and "#docs #web" in shown and DOCUMENT_ID in shown
    assert_valid_message(text, blocks)


def test_the_card_names_a_file_and_its_crawl() -> None:
    _, blocks = card(
        domain.READY,
        document_url="https://x.example/a.pdf?sig=1",
        crawl={"depth": 1, "max_pages": 20},
    )

    shown = json.dumps(blocks)
    assert "<https://x.example/a.pdf?sig=1|pdf file>" in shown
    assert "up to 20 pages, 1 link deep" in shown


@pytest.mark.parametrize("value", TEXTS + URLS)
def test_hostile_values_stay_escaped_and_within_limits(value: object) -> None:
    cards = [
        document_card(
            document_id=str(value),
            name=value,  # type: ignore[arg-type]
            details={"document_url": value, "tags": [value, value], "crawl": {"depth": value}},
            status=domain.ERROR,
            owner_user_id=str(value),
        ),
        card(domain.ERROR, error=value),
        ready_message(value, pages=value),  # type: ignore[arg-type]
        error_message(value, value, document_id=str(value)),  # type: ignore[arg-type]
        error_message(value, value, document_id=str(value), recrawl=True),  # type: ignore[arg-type]
        recrawl_started_message(str(value)),
    ]
    for text, blocks in cards:
        shown = text + json.dumps(blocks)
        assert "<!channel>" not in shown and "<https://evil|click>" not in shown
        assert_valid_message(text, blocks)


def document(**fields: Any) -> Document:
    data = {
        "document_id": DOCUMENT_ID,
        "document_name": "Docs site",
        "document_url": SITE,
        "status": "ready",
        "tags": ["docs"],
        "crawl_config": {"depth": 2, "max_pages": 10},
        "crawled_urls": [SITE + f"p{n}" for n in range(12)],
        "crawl_count": 2,
        "last_crawled_at": "2024-01-01T12:05:00Z",
        "created_at": "2024-01-01T12:00:00Z",
        **fields,
    }
    return Document.from_api(data)


def test_a_listing_line_says_status_tags_and_source() -> None:
    line = document_line(document(status="processing", progress=45))

    assert line == f"`{DOCUMENT_ID}` *Docs site* · processing 45% · #docs · <{SITE}|website>"


def test_details_show_the_crawl_and_the_pages_read() -> None:
    text, blocks = document_details(document())

    shown = json.dumps(blocks)
    assert "up to 10 pages, 2 links deep (crawled 2 times, last 2024-01-01T12:05:00Z)" in shown
    assert f"<{SITE}p0|docs.example.com/p0>" in shown and "and 2 more" in shown
    assert_valid_message(text, blocks)


def test_details_of_a_failed_document_say_why_in_words() -> None:
    _, blocks = document_details(document(status="error", error_message="file_size_too_large"))

    assert "larger than Tavus's 50 MB limit" in json.dumps(blocks)


@pytest.mark.parametrize("value", TEXTS + URLS)
def test_hostile_listings_and_details_fit(value: object) -> None:
    hostile = document(
        document_name=value,
        document_url=value,
        tags=[value] * 30,
        crawled_urls=[value] * 30,
        error_message=value,
        status="error",
    )
    text, blocks = document_details(hostile)
    line = document_line(hostile)

    assert "<!channel>" not in line + json.dumps(blocks)
    assert_valid_message(text, blocks)
    assert_valid_message(line, [{"type": "section", "text": {"type": "mrkdwn", "text": line}}])


def test_the_warning_names_the_formats_and_the_limit() -> None:
    text = unsupported_warning("https://x.example/<!channel>.mp4", ".mp4")

    assert "`.mp4` is not a file type Tavus reads" in text
    assert "up to 50 MB" in text and "English" in text
    assert "<!channel>" not in text


# -- a search listing ----------------------------------------------------------------------


@pytest.mark.parametrize("search", ["#hr <!channel>", "<https://evil|click>", "a" * 500])
def test_a_search_listing_escapes_what_was_searched_and_carries_it_in_more(search: str) -> None:
    text, blocks = page_message(
        kind="document",
        lines=["one"],
        page=1,
        page_size=1,
        total=2,
        filter_word=search,
        has_more=True,
        search=True,
    )

    assert "<!channel>" not in text + json.dumps(blocks[:-1])  # the More button's value aside
    assert "documents matching “" in text
    value = blocks[-1]["elements"][0]["value"]
    assert parse_more_value(value) == ("document", 2, search)
    assert_valid_message(text, blocks)


def test_an_empty_search_says_nothing_matched() -> None:
    text, _ = page_message(
        kind="document",
        lines=[],
        page=1,
        page_size=10,
        total=0,
        filter_word="#nothing",
        has_more=False,
        search=True,
    )

    assert text == "No documents matching “#nothing” on this Tavus account."


# -- the modal -----------------------------------------------------------------------------


def test_the_modal_states_the_formats_and_keeps_a_dm_in_its_metadata() -> None:
    view = document_modal(channel_id="D0123")

    assert "50 MB" in json.dumps(view)
    assert json.loads(view["private_metadata"]) == {"channel": "D0123"}
    assert all(b.get("block_id") != B_ANYWAY for b in view["blocks"])
    assert_valid_view(view)


@pytest.mark.parametrize("value", TEXTS)
def test_the_warned_modal_shows_the_values_again_and_fits(value: object) -> None:
    text = str(value)
    form = DocumentForm(document_url=text, name=text, tags=text, depth="3", pages="900")
    view = document_modal(channel_id="C0123", form=form, warning=unsupported_warning(text, ".x"))

    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert B_ANYWAY in blocks
    assert blocks[B_DEPTH]["element"]["initial_value"] == "3"
    assert "initial_value" not in blocks["crawl_pages"]["element"]  # out of range: not shown
    if text.strip():
        assert blocks[B_URL]["element"]["initial_value"].strip()
    assert_valid_view(view)


def test_reading_the_form_back() -> None:
    values = {
        B_URL: {B_URL: {"value": f" {SITE} "}},
        B_DEPTH: {B_DEPTH: {"type": "number_input", "value": "2"}},
        B_ANYWAY: {B_ANYWAY: {"selected_options": [{"value": "anyway"}]}},
        "channel": {"channel": {"selected_conversation": "C777"}},
    }

    form = read_document_form(values, '{"channel": "D1"}')

    assert (form.document_url, form.depth, form.pages, form.anyway) == (SITE, "2", None, True)
    assert (form.channel_id, form.destination.channel_id) == ("C777", "D1")
