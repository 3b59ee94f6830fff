"""A document from Slack to Tavus and back: the card, its processing, the threaded result.

Both ways Tavus's news can arrive: by callback (PUBLIC_URL set) and by polling (unset); and
a recrawl, whose second `ready` reaches the thread as news of its own.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.blocks import document_modal as modal
from bot.blocks.listing import DELETE_ACTION, MORE_ACTION
from bot.sandbox import URL_FAIL_MARKER
from handlers.documents.add import ADD_ANYWAY_ACTION
from tests.fakes.blockkit import assert_valid_message
from tests.fakes.signing import block_action_payload, view_submission_payload
from tests.fakes.slack import FakeSlack
from tests.harness import Harness, Sandbox, app_world

CHANNEL = "C123"
HANDBOOK = "https://docs.example.com/handbook.pdf"
SITE = "https://docs.example.com/"
DOCUMENT_SECONDS = 0.5  # ten progress steps of 0.05 s


@pytest.fixture(params=["callbacks", "polling"])
async def world(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Harness, Sandbox]]:
    async with app_world(
        tmp_path,
        called_back=request.param == "callbacks",
        sandbox_options={"document_delay": DOCUMENT_SECONDS},
    ) as (h, sandbox):
        yield h, sandbox


def card_of(slack: FakeSlack) -> dict[str, Any]:
    (card,) = [m for m in slack.messages(channel=CHANNEL) if m["thread_ts"] is None]
    return card


async def card_saying(slack: FakeSlack, words: str, count: int = 1) -> dict[str, Any]:
    await slack.wait_for(
        "chat.update",
        count=count,
        timeout=15,
        predicate=lambda c: words in json.dumps(c.args.get("blocks")),
    )
    return card_of(slack)


async def thread_of(slack: FakeSlack, count: int) -> list[dict[str, Any]]:
    """The card's thread, once it holds ``count`` replies."""
    await slack.wait_for(
        "chat.postMessage",
        count=count + 1,
        timeout=15,
        predicate=lambda c: c.args.get("channel") == CHANNEL,
    )
    return slack.messages(channel=CHANNEL, thread_ts=card_of(slack)["ts"])


async def test_a_document_added_by_url_reports_ready_in_its_thread(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world

    await running.command(f"document add {HANDBOOK} #onboarding #hr Employee handbook")

    card = await card_saying(running.slack, "Ready")
    (reply,) = await thread_of(running.slack, 1)
    (document,) = sandbox.state.documents.values()
    assert (document.document_url, document.document_name) == (HANDBOOK, "Employee handbook")
    assert document.tags == ["onboarding", "hr"]
    delivered = [(body["status"], code) for _, body, code in sandbox.state.callbacks_sent]
    if running.app.services.settings.public_url is None:
        assert document.callback_url is None and delivered == []  # polling alone
    else:
        assert ("ready", 200) in delivered
    assert reply["text"].startswith(":white_check_mark: *Employee handbook* is ready")
    shown = json.dumps(card["blocks"])
    assert document.document_id in shown and "#onboarding #hr" in shown
    assert f"<{HANDBOOK}|pdf file>" in shown
    assert_valid_message(card["text"], card["blocks"])
    running.slack.assert_nothing_rejected()


async def test_a_document_tavus_cannot_fetch_threads_the_reason_in_words(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world

    await running.command(f"document add https://docs.example.com/{URL_FAIL_MARKER}.pdf")

    card = await card_saying(running.slack, "Failed")
    (reply,) = await thread_of(running.slack, 1)
    assert "Tavus could not download the file: check that the link is public" in reply["text"]
    assert "/tavus document add" in reply["text"]
    assert "could not download" in json.dumps(card["blocks"])


def crawl_form(url: str, *, depth: str | None = None, pages: str | None = None) -> dict[str, Any]:
    return {
        modal.B_URL: {modal.B_URL: {"type": "plain_text_input", "value": url}},
        modal.B_NAME: {modal.B_NAME: {"type": "plain_text_input", "value": "Docs site"}},
        modal.B_TAGS: {modal.B_TAGS: {"type": "plain_text_input", "value": "docs, website"}},
        modal.B_DEPTH: {modal.B_DEPTH: {"type": "number_input", "value": depth}},
        modal.B_PAGES: {modal.B_PAGES: {"type": "number_input", "value": pages}},
        "channel": {"channel": {"selected_conversation": CHANNEL}},
    }


async def add_by_form(running: Harness, values: dict[str, Any]) -> dict[str, Any]:
    opened = await running.app.services.slack.views_open(
        trigger_id="tr.1", view=modal.document_modal(channel_id=CHANNEL)
    )
    submission = view_submission_payload(
        modal.CALLBACK_ID, values=values, view_id=str(opened["view"]["id"])
    )
    answer: dict[str, Any] = (await running.interact(submission)).json()
    return answer


async def test_a_recrawl_puts_the_card_back_and_threads_the_new_result(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    answer = await add_by_form(running, crawl_form(SITE, depth="2", pages="5"))
    assert answer["response_action"] == "update"
    await card_saying(running.slack, "Ready")
    await thread_of(running.slack, 1)
    (document,) = sandbox.state.documents.values()
    assert document.crawl == {"depth": 2, "max_pages": 5}
    assert document.tags == ["docs", "website"]

    await running.command(f"document recrawl {document.document_id}")

    await card_saying(running.slack, "Recrawling")
    await card_saying(running.slack, "Ready", count=2)
    first, started, recrawled = await thread_of(running.slack, 3)
    assert "is ready" in first["text"]
    assert "asked Tavus to crawl the website again" in started["text"]
    assert recrawled["text"].startswith(":white_check_mark: Recrawled: *Docs site* is up to date")
    (said,) = await running.slack.wait_for_response()
    assert "crawling" in said["text"] and document.document_id in said["text"]
    running.slack.assert_nothing_rejected()


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_a_recrawl_while_crawling_is_refused_in_words(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    sandbox.state.document_delay = 600  # still processing when the recrawl is asked
    await add_by_form(running, crawl_form(SITE, pages="3"))
    await running.slack.wait_for("chat.postMessage")
    (document,) = sandbox.state.documents.values()

    await running.command(f"document recrawl {document.document_id}")

    (busy,) = await running.slack.wait_for_response()
    assert "already being crawled" in busy["text"]
    assert document.crawl_count == 0


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_a_second_recrawl_within_the_hour_is_refused_in_words(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    await add_by_form(running, crawl_form(SITE, pages="3"))
    await card_saying(running.slack, "Ready")
    (document,) = sandbox.state.documents.values()

    await running.command(f"document recrawl {document.document_id}")
    await card_saying(running.slack, "Ready", count=2)
    await running.command(f"document recrawl {document.document_id}")

    started, cooldown = await running.slack.wait_for_response(count=2)
    assert "crawling" in started["text"]
    assert "wait an hour between recrawls" in cooldown["text"]
    assert "Tavus says: Recrawl cooldown" in cooldown["text"]
    assert document.crawl_count == 2


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_a_failed_recrawl_threads_its_reason(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    await add_by_form(running, crawl_form(SITE, depth="1"))
    await card_saying(running.slack, "Ready")
    (document,) = sandbox.state.documents.values()
    sandbox.state.document_error = "website_processing_failed"

    await running.command(f"document recrawl {document.document_id}")

    await card_saying(running.slack, "Failed")
    *_, failed = await thread_of(running.slack, 3)
    assert failed["text"].startswith(":x: The recrawl of *Docs site* failed: Tavus could not")
    assert f"/tavus document recrawl {document.document_id}" in failed["text"]


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_a_document_without_a_crawl_cannot_be_recrawled(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    await running.command(f"document add {HANDBOOK}")
    await card_saying(running.slack, "Ready")
    (document,) = sandbox.state.documents.values()

    await running.command(f"document recrawl {document.document_id}")

    (answer,) = await running.slack.wait_for_response()
    assert "Tavus says: Document was not created with crawl configuration (400)" in answer["text"]
    assert "Only a website added with a crawl" in answer["text"]


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_an_unsupported_file_type_warns_first_then_may_be_added_anyway(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world

    await running.command("document add https://cdn.example/clip.mp4 #media Launch clip")

    (warning,) = await running.slack.wait_for_response()
    assert "`.mp4` is not a file type Tavus reads" in warning["text"]
    assert "pdf, txt, docx, doc, png, jpg, pptx, csv, xlsx files up to 50 MB" in warning["text"]
    assert sandbox.state.documents == {}
    value = next(
        e["value"] for b in warning["blocks"] if b["type"] == "actions" for e in b["elements"]
    )
    click = block_action_payload(
        ADD_ANYWAY_ACTION, value=value, response_url=running.slack.response_url
    )
    await running.interact(click)
    await card_saying(running.slack, "Failed")
    (document,) = sandbox.state.documents.values()
    assert (document.document_name, document.tags) == ("Launch clip", ["media"])
    (reply,) = await thread_of(running.slack, 1)
    assert "Tavus cannot read this type of file" in reply["text"]


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("document add handbook.pdf", "must be an http(s) link"),
        (f"document add {HANDBOOK} {'x' * 201}", "Keep the name under 200 characters"),
    ],
)
async def test_a_bad_add_is_refused_before_tavus(
    world: tuple[Harness, Sandbox], text: str, words: str
) -> None:
    running, sandbox = world

    await running.command(text)

    (answer,) = await running.slack.wait_for_response()
    assert words in answer["text"]
    assert sandbox.state.documents == {}


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
@pytest.mark.parametrize("text", ["document add", "document new", "docs add"])
async def test_add_without_a_link_opens_the_form(world: tuple[Harness, Sandbox], text: str) -> None:
    running, sandbox = world

    await running.command(text)

    (opened,) = await running.slack.wait_for("views.open")
    assert opened.args["view"]["callback_id"] == modal.CALLBACK_ID
    assert "50 MB" in json.dumps(opened.args["view"])
    assert sandbox.state.documents == {}


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
@pytest.mark.parametrize(
    ("values", "block", "words"),
    [
        (crawl_form("docs.example.com"), modal.B_URL, "An http(s) link"),
        (crawl_form(HANDBOOK, depth="2"), modal.B_DEPTH, "Only a website is crawled"),
        (crawl_form(SITE, depth="11"), modal.B_DEPTH, "from 1 to 10"),
        (crawl_form(SITE, pages="0"), modal.B_PAGES, "from 1 to 100"),
    ],
)
async def test_the_form_checks_inline(
    world: tuple[Harness, Sandbox], values: dict[str, Any], block: str, words: str
) -> None:
    running, sandbox = world

    answer = await add_by_form(running, values)

    assert answer["response_action"] == "errors"
    assert words in answer["errors"][block]
    assert sandbox.state.documents == {}


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_the_form_warns_of_an_unsupported_file_type_until_ticked(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    values = crawl_form("https://cdn.example/notes.md")

    answer = await add_by_form(running, values)

    assert answer["response_action"] == "update"
    again = answer["view"]
    assert "`.md` is not a file type Tavus reads" in json.dumps(again)
    url_block = next(b for b in again["blocks"] if b.get("block_id") == modal.B_URL)
    assert url_block["element"]["initial_value"] == "https://cdn.example/notes.md"
    assert sandbox.state.documents == {}
    ticked = {
        **values,
        modal.B_ANYWAY: {modal.B_ANYWAY: {"selected_options": [{"value": "anyway"}]}},
    }
    assert (await add_by_form(running, ticked))["response_action"] == "update"
    await running.slack.wait_for("chat.postMessage")
    (document,) = sandbox.state.documents.values()
    assert document.document_url == "https://cdn.example/notes.md"


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_list_by_tag_and_name_show_retag_rename_delete(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    await running.command(f"document add {HANDBOOK} #hr Employee handbook")
    await running.command("document add https://docs.example.com/pricing.pdf #sales Price list")
    await running.slack.wait_for("chat.postMessage", count=4, timeout=15)
    handbook, prices = sandbox.state.documents.values()

    await running.command("documents #hr")
    await running.command("documents price")
    await running.command(f"document show {handbook.document_id}")
    await running.command(f"document retag {handbook.document_id} #people, policies")
    await running.command(f"document rename {handbook.document_id} Staff handbook")

    by_tag, by_name, shown, retagged, renamed = await running.slack.wait_for_response(count=5)
    assert handbook.document_id in json.dumps(by_tag) and prices.document_id not in json.dumps(
        by_tag
    )
    assert "documents matching “#hr”" in by_tag["text"]
    assert prices.document_id in json.dumps(by_name) and handbook.document_id not in json.dumps(
        by_name
    )
    assert "Employee handbook" in json.dumps(shown["blocks"]) and "#hr" in json.dumps(shown)
    assert "are now #people #policies" in retagged["text"]
    assert handbook.tags == ["people", "policies"]
    assert "Staff handbook" in renamed["text"] and handbook.document_name == "Staff handbook"
    await running.slack.wait_for(
        "chat.update", predicate=lambda c: "#people #policies" in json.dumps(c.args["blocks"])
    )
    running.slack.assert_nothing_rejected()

    await running.command(f"document delete {handbook.document_id}")
    *_, ask = await running.slack.wait_for_response(count=6)
    value = next(e["value"] for b in ask["blocks"] if b["type"] == "actions" for e in b["elements"])
    click = block_action_payload(
        DELETE_ACTION, value=value, response_url=running.slack.response_url
    )
    await running.interact(click)
    await running.slack.wait_for_response(count=7)
    assert list(sandbox.state.documents) == [prices.document_id]


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_someone_else_may_not_retag_recrawl_or_delete(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    await running.command(f"document add {HANDBOOK} #hr")
    await card_saying(running.slack, "Ready")
    (document,) = sandbox.state.documents.values()

    for verb in ("retag", "recrawl", "delete"):
        await running.command(f"document {verb} {document.document_id} #x", user_id="U999")

    answers = await running.slack.wait_for_response(count=3)
    assert all("Only <@U123> (who started it) or an admin" in a["text"] for a in answers)
    assert document.tags == ["hr"]


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_more_pages_keep_the_search(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    for number in range(12):
        await running.command(
            f"document add https://docs.example.com/f{number}.txt #faq Doc {number}"
        )
    await running.command("document add https://docs.example.com/x.txt #other Doc other")
    await running.slack.wait_for("chat.postMessage", count=26, timeout=15)  # cards, replies

    await running.command("documents #faq doc")

    (first,) = await running.slack.wait_for_response()
    assert "(1–10 of 12)" in first["text"]
    value = next(
        e["value"] for b in first["blocks"] if b["type"] == "actions" for e in b["elements"]
    )
    click = block_action_payload(MORE_ACTION, value=value, response_url=running.slack.response_url)
    await running.interact(click)
    _, second = await running.slack.wait_for_response(count=2)
    assert "(11–12 of 12)" in second["text"]
    assert "Doc other" not in json.dumps(first) + json.dumps(second)


async def test_an_older_tavus_naming_documents_by_uuid_reports_the_same(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    sandbox.state.document_id_field = "uuid"

    await running.command(f"document add {HANDBOOK} Handbook")

    await card_saying(running.slack, "Ready")
    (reply,) = await thread_of(running.slack, 1)
    assert reply["text"].startswith(":white_check_mark: *Handbook* is ready")
