"""``/tavus document add <url> [#tag ...] [name]``, its "Add anyway" button, and the modal.

Nothing reaches Tavus until the link is an http(s) URL and its file type is one Tavus reads
(a website has none, or a page's); an unsupported type gets a warning first, and the user
may add it anyway (a web page whose address ends like a file, say).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks import document_modal as modal
from bot.blocks import kit
from bot.blocks.documents import unsupported_warning
from bot.blocks.text import code
from bot.blocks.video_modal import started_view
from bot.documents import DocumentRequest, start_document, tags_from_words
from bot.domain import documents as domain
from bot.jobs import NotAllowedHere, OutcomeUnknown, card_place
from bot.services import Services
from bot.tavus import CrawlConfig, TavusError
from bot.videos import http_url
from handlers.lipsyncs.start import unwrap_link
from handlers.shared.families import CommandRequest
from handlers.shared.replies import say_privately, tavus_refused
from handlers.shared.starting import run_in_modal, team_of, where_the_card_went

logger = logging.getLogger(__name__)

ADD_ANYWAY_ACTION = "document_add_anyway"
USAGE = "`/tavus document add &lt;url&gt; [#tag …] [name]`"  # escaped: <url> is markup

Say = Callable[[str], Awaitable[None]]


# -- the command ---------------------------------------------------------------------------


async def handle_add(request: CommandRequest) -> None:
    """With a link: add it (after the checks); without one: the form."""
    words = request.command.words
    if not words:
        await open_document_modal(request.services.slack, request.trigger_id, request.channel_id)
        return
    document = _request_from(request)
    problem = _problem(document)
    if problem:
        await request.say_privately(problem)
        return
    extension = domain.unsupported_extension(document.document_url)
    if extension is not None:
        await _warn(request, document, extension)
        return
    await _start(request.services, document, request.say_privately)


async def handle_new(request: CommandRequest) -> None:
    """`/tavus document new`: the form, whatever follows."""
    await open_document_modal(request.services.slack, request.trigger_id, request.channel_id)


async def open_document_modal(
    slack: AsyncWebClient, trigger_id: str, channel_id: str | None
) -> None:
    await slack.views_open(trigger_id=trigger_id, view=modal.document_modal(channel_id=channel_id))


def _request_from(request: CommandRequest) -> DocumentRequest:
    words = request.command.words
    tags, count = tags_from_words(words[1:])
    rest = request.command.text.split(maxsplit=1 + count)
    name = rest[1 + count].strip() if len(rest) > 1 + count else ""
    return DocumentRequest(
        team_id=request.team_id,
        user_id=request.user_id,
        channel_id=request.channel_id,
        document_url=unwrap_link(words[0]),
        name=name or None,
        tags=tags,
    )


def _problem(document: DocumentRequest) -> str | None:
    if not http_url(document.document_url):
        return f"The first word must be an http(s) link to a file or a website: {USAGE}."
    if document.name and len(document.name) > domain.NAME_MAX:
        return f"Keep the name under {domain.NAME_MAX} characters."
    if len(document.tags) > domain.TAGS_MAX:
        return f"Give at most {domain.TAGS_MAX} tags."
    return None


async def _warn(request: CommandRequest, document: DocumentRequest, extension: str) -> None:
    text = unsupported_warning(document.document_url, extension)
    value = _anyway_value(document)
    if value is None:  # too long for a button: the user can shorten the name, or use the form
        await request.say_privately(text)
        return
    button = kit.button("Add anyway", action_id=ADD_ANYWAY_ACTION, value=value)
    await request.say_privately(text, [kit.section(text), kit.actions(button)])


def _anyway_value(document: DocumentRequest) -> str | None:
    fields = {
        "url": document.document_url,
        "name": document.name,
        "tags": list(document.tags),
        "channel": document.channel_id,
    }
    value = json.dumps(fields, separators=(",", ":"))
    return value if len(value) <= kit.BUTTON_VALUE_MAX else None


async def handle_add_anyway(
    ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, services: Services
) -> None:
    """The "Add anyway" button under the warning: the user who clicked adds it."""
    await ack()
    document = _from_anyway_value(body)
    if document is None:
        logger.warning("an Add anyway button carried a value it cannot have")
        return

    async def say(text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        await say_privately(respond, text, blocks, replace=True)

    try:
        await _start(services, document, say, confirm=True)
    except TavusError as exc:
        await say(tavus_refused(exc))
    except (OutcomeUnknown, NotAllowedHere) as exc:
        await say(f":warning: {exc.user_message}")


def _from_anyway_value(body: dict[str, Any]) -> DocumentRequest | None:
    try:
        fields = json.loads(str(body["actions"][0].get("value") or ""))
    except ValueError:
        return None
    if not isinstance(fields, dict):
        return None
    url, name, channel = fields.get("url"), fields.get("name"), fields.get("channel")
    tags = fields.get("tags") or []
    if not isinstance(url, str) or not http_url(url) or not isinstance(channel, str):
        return None
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        return None
    return DocumentRequest(
        team_id=team_of(body),
        user_id=body["user"]["id"],
        channel_id=channel,
        document_url=url,
        name=name if isinstance(name, str) and name else None,
        tags=tuple(tags),
    )


async def _start(
    services: Services, document: DocumentRequest, say: Say, *, confirm: bool = False
) -> None:
    started = await start_document(services, document)
    note = where_the_card_went(await card_place(services, started), "document")
    if note:
        await say(note)
    elif confirm:
        await say(f":page_facing_up: Sent {code(document.document_url)} to Tavus; see its card.")


# -- the modal ------------------------------------------------------------------------------


def validate(form: modal.DocumentForm) -> dict[str, str]:
    """Field errors keyed by block_id, shown inline by Slack; no Tavus call until none."""
    errors: dict[str, str] = {}
    if form.document_url is None:
        errors[modal.B_URL] = "Give the link of a file or a website."
    elif not http_url(form.document_url):
        errors[modal.B_URL] = "An http(s) link, like https://example.com/handbook.pdf."
    tags = (form.tags or "").replace(",", " ").split()
    if any(domain.tag_name(tag) is None for tag in tags):
        errors[modal.B_TAGS] = f"Each tag is one word of at most {domain.TAG_MAX} characters."
    elif len(domain.tags_in(form.tags or "")) > domain.TAGS_MAX:
        errors[modal.B_TAGS] = f"Give at most {domain.TAGS_MAX} tags."
    for block, value, (low, high) in (
        (modal.B_DEPTH, form.depth, domain.CRAWL_DEPTH),
        (modal.B_PAGES, form.pages, domain.CRAWL_PAGES),
    ):
        if value is not None and not (value.isdigit() and low <= int(value) <= high):
            errors[block] = f"A whole number from {low} to {high}."
    crawled = form.depth is not None or form.pages is not None
    if crawled and form.document_url and not domain.is_website(form.document_url):
        errors.setdefault(
            modal.B_DEPTH, "Only a website is crawled: leave the crawl fields empty for a file."
        )
    return errors


def crawl_of(form: modal.DocumentForm) -> CrawlConfig | None:
    crawl: CrawlConfig = {}
    if form.depth is not None:
        crawl["depth"] = int(form.depth)
    if form.pages is not None:
        crawl["max_pages"] = int(form.pages)
    return crawl or None


async def handle_document_submission(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    services: Services,
) -> None:
    form = modal.read_document_form(view["state"]["values"], view.get("private_metadata"))
    errors = validate(form)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    assert form.document_url is not None
    extension = domain.unsupported_extension(form.document_url)
    if extension is not None and not form.anyway:
        tick = "Tick the box below to add it anyway (a web page, say)."
        warning = unsupported_warning(form.document_url, extension, what_now=tick)
        again = modal.document_modal(channel_id=None, form=form, warning=warning)
        await ack(response_action="update", view=again)
        return
    await ack(response_action="update", view=modal.starting_view())
    document = document_request(form, team_id=team_of(body), user_id=body["user"]["id"])
    await run_in_modal(
        client,
        view["id"],
        kind=domain.KIND,
        start=lambda: start_document(services, document),
        services=services,
        done=lambda _, place: started_view(
            what="document",
            channel_id=place.channel or document.channel_id,
            in_thread=False,
            moved=place.moved_because is not None,
        ),
    )


def document_request(form: modal.DocumentForm, *, team_id: str, user_id: str) -> DocumentRequest:
    assert form.document_url is not None
    return DocumentRequest(
        team_id=team_id,
        user_id=user_id,
        channel_id=form.channel_id or form.destination.channel_id or user_id,
        document_url=form.document_url,
        name=form.name,
        tags=domain.tags_in(form.tags or ""),
        crawl=crawl_of(form),
    )
