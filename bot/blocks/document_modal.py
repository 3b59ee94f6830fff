"""The "Add a document" modal: a link, a name, tags, how far to crawl a website, where the
card goes; and the same form again with a warning when Tavus would refuse the file type."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.blocks import kit
from bot.blocks.conversations import channel_mention
from bot.blocks.start_modal import message_view
from bot.blocks.video_modal import (
    B_CHANNEL,
    Destination,
    FormValues,
    channel_picker,
    text_input,
)
from bot.domain import documents as domain

CALLBACK_ID = "add_document"
B_URL, B_NAME, B_TAGS = "document_url", "document_name", "tags"
B_DEPTH, B_PAGES, B_ANYWAY = "crawl_depth", "crawl_pages", "anyway"
ANYWAY = "anyway"
CHANNEL_HINT = (
    "Where the document's card goes; processing news comes in its thread. Leave empty for a "
    "direct message. If I am not in the channel, the card comes to you directly instead."
)

View = dict[str, Any]
Block = dict[str, Any]


@dataclass(frozen=True)
class DocumentForm:
    document_url: str | None = None
    name: str | None = None
    tags: str | None = None
    depth: str | None = None
    pages: str | None = None
    anyway: bool = False
    channel_id: str | None = None  # picked in the form
    destination: Destination = Destination()  # from private_metadata


def document_modal(
    *, channel_id: str | None, form: DocumentForm | None = None, warning: str | None = None
) -> View:
    """``form``: values to show again; ``warning`` (mrkdwn, escaped): why the link may fail,
    with a box to tick to add it anyway."""
    form = form or DocumentForm()
    blocks = [*_warning(warning), *_fields(form)]
    blocks.append(channel_picker(form.channel_id or channel_id, "Post the card in", CHANNEL_HINT))
    keep = form.destination.channel_id or channel_id
    destination = Destination(channel_id=None if channel_mention(keep) else keep)
    return kit.modal(
        title="Add a document",
        blocks=blocks,
        callback_id=CALLBACK_ID,
        submit="Add",
        close="Cancel",
        private_metadata=destination.metadata(),
    )


def _warning(warning: str | None) -> list[Block]:
    if warning is None:
        return []
    box = {
        "type": "checkboxes",
        "action_id": B_ANYWAY,
        "options": [kit.option("Add it anyway (it is a web page, say)", ANYWAY)],
    }
    return [kit.section(warning), kit.input_block(B_ANYWAY, "Still add it?", box, optional=True)]


def _fields(form: DocumentForm) -> list[Block]:
    return [
        text_input(
            B_URL,
            "Link to a file or a website",
            placeholder="https://example.com/handbook.pdf",
            optional=False,
            initial=form.document_url,
            hint=domain.FORMATS_TEXT,
        ),
        text_input(
            B_NAME,
            "Name",
            placeholder="Employee handbook",
            initial=form.name,
            max_length=domain.NAME_MAX,
        ),
        text_input(
            B_TAGS,
            "Tags",
            placeholder="onboarding, policies",
            initial=form.tags,
            max_length=1000,
            hint="Separated by spaces or commas. A call or persona can use every document "
            "with a tag.",
        ),
        _number(B_DEPTH, "Crawl depth (websites)", domain.CRAWL_DEPTH, form.depth),
        _number(B_PAGES, "Crawl page limit (websites)", domain.CRAWL_PAGES, form.pages),
    ]


def _number(block_id: str, label: str, limits: tuple[int, int], initial: str | None) -> Block:
    low, high = limits
    element: Block = {
        "type": "number_input",
        "action_id": block_id,
        "is_decimal_allowed": False,
        "min_value": str(low),
        "max_value": str(high),
    }
    if initial and initial.isdigit() and low <= int(initial) <= high:
        element["initial_value"] = initial
    hint = (
        f"{low} to {high}. Fill in either crawl field to follow a website's links; leave both "
        "empty to read the one page."
    )
    return kit.input_block(block_id, label, element, optional=True, hint=hint)


def read_document_form(
    values: Mapping[str, Mapping[str, Any]], private_metadata: object
) -> DocumentForm:
    form = FormValues(values)
    return DocumentForm(
        document_url=form.text(B_URL),
        name=form.text(B_NAME),
        tags=form.text(B_TAGS),
        depth=form.text(B_DEPTH),
        pages=form.text(B_PAGES),
        anyway=ANYWAY in form.checked(B_ANYWAY),
        channel_id=form.conversation(B_CHANNEL),
        destination=Destination.from_metadata(private_metadata),
    )


def starting_view() -> View:
    return message_view("Add a document", ":hourglass_flowing_sand: Asking Tavus…")
