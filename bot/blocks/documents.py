"""Block Kit for documents: the card, the threaded results, listings and details.

Names, tags, URLs and Tavus's reasons are escaped and capped to one line before they join a
text; a URL becomes a link only when a link can carry it whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.blocks import kit
from bot.blocks.conversations import join_link, one_line, shown_id, user_mention
from bot.blocks.progress import progress_bar
from bot.blocks.text import code, plain
from bot.domain import documents as domain
from bot.tavus import Document
from storage import Resource

Blocks = list[dict[str, Any]]

TAGS_SHOWN = 10
TAG_SHOWN_MAX = 40
PAGES_SHOWN = 10
REASON_SHOWN_MAX = 600
_STATUS_MAX = 40
_TIME_MAX = 64
_STATUS_WORDS = {
    domain.STARTED: "started",
    domain.PROCESSING: "processing",
    domain.READY: "ready",
    domain.ERROR: "failed",
    domain.RECRAWLING: "recrawling",
    domain.DELETED: "deleted",
}
# `&lt;url&gt;`: a bare <url> is a Slack control sequence, and the placeholder would vanish.
ADD_AGAIN = "Fix the link and add it again with `/tavus document add &lt;url&gt;`."


# -- the card ------------------------------------------------------------------------------


def render_card(resource: Resource) -> tuple[str, Blocks]:
    return document_card(
        document_id=resource.tavus_id or "",
        name=resource.name,
        details=resource.details,
        status=resource.status,
        owner_user_id=resource.owner_user_id,
    )


def document_card(
    *,
    document_id: str,
    name: str | None,
    details: Mapping[str, Any],
    status: str | None,
    owner_user_id: str,
) -> tuple[str, Blocks]:
    title = f"{user_mention(owner_user_id)} added a document to the Tavus knowledge base"
    blocks: Blocks = [
        kit.section(f"{title}\n{_facts(name, details)}"),
        kit.context(status_line(status, details)),
        kit.context(f"Document {shown_id(document_id)}"),
    ]
    shown = one_line(name or document_id or "Untitled document")
    words = _STATUS_WORDS.get(status or "", "started")
    return kit.message(f"Tavus document {shown}: {words}", blocks)


def _facts(name: str | None, details: Mapping[str, Any]) -> str:
    lines = [f"*Name:* {one_line(name or 'Untitled document')}"]
    if source := source_link(details.get("document_url")):
        lines[0] += f"   *Source:* {source}"
    if tags := tag_words(details.get("tags")):
        lines.append(f"*Tags:* {tags}")
    if crawl := crawl_words(details.get("crawl")):
        lines.append(f"*Crawl:* {crawl}")
    return "\n".join(lines)


def status_line(status: str | None, details: Mapping[str, Any]) -> str:
    if status == domain.READY:
        pages = _pages(details.get("pages"))
        return ":white_check_mark: *Ready*: personas and calls can use it" + pages
    if status == domain.ERROR:
        return f":x: *Failed*: {reason_words(details.get('error'))}"
    if status == domain.DELETED:
        return ":wastebasket: *Deleted* in Tavus"
    if status == domain.RECRAWLING:
        return f":arrows_counterclockwise: *Recrawling* {_progress(details)}"
    if status == domain.PROCESSING:
        return f":gear: *Processing* {progress_bar(_percent(details.get('progress')))}"
    return ":hourglass_flowing_sand: *Started*: Tavus is fetching it"


def _progress(details: Mapping[str, Any]) -> str:
    percent = _percent(details.get("progress"))
    return progress_bar(percent) if percent is not None else "the website; the result follows"


def _percent(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _pages(value: object) -> str:
    count = _percent(value)
    if not count:
        return ""
    return f" · {count} page{'s' if count != 1 else ''} read"


def source_link(url: object) -> str | None:
    """The document's URL as a link labelled with what it is: a file type or a website."""
    if not isinstance(url, str):
        return None
    extension = domain.extension_of(url)
    label = "website" if domain.is_website(url) else f"{(extension or '').lstrip('.')} file"
    return join_link(url, label)


def tag_words(tags: object) -> str:
    """`#onboarding #pricing`, escaped, the first ten; empty when there are none."""
    if not isinstance(tags, list | tuple):
        return ""
    shown = [f"#{one_line(tag, TAG_SHOWN_MAX)}" for tag in tags[:TAGS_SHOWN] if str(tag).strip()]
    if len(tags) > TAGS_SHOWN:
        shown.append(f"and {len(tags) - TAGS_SHOWN} more")
    return " ".join(shown)


def crawl_words(crawl: object) -> str:
    """`up to 20 pages, 2 links deep`; empty for a document that is not crawled."""
    if not isinstance(crawl, Mapping) or not crawl:
        return ""
    parts = []
    pages, depth = _percent(crawl.get("max_pages")), _percent(crawl.get("depth"))
    if pages is not None:
        parts.append(f"up to {pages} page{'s' if pages != 1 else ''}")
    if depth is not None:
        parts.append(f"{depth} link{'s' if depth != 1 else ''} deep")
    return ", ".join(parts) or "links followed from the start page"


def reason_words(reason: object) -> str:
    """What went wrong in words: a known Tavus code explained, anything else as it came."""
    known = domain.error_words(reason)
    if known is not None:
        return known
    if plain(reason, REASON_SHOWN_MAX) == kit.EMPTY:
        return "Tavus gave no reason"
    return one_line(reason, REASON_SHOWN_MAX)


# -- thread replies ------------------------------------------------------------------------


def ready_message(
    name: str | None, *, pages: object = None, recrawl: bool = False
) -> tuple[str, Blocks]:
    shown = one_line(name or "The document")
    if recrawl:
        text = f":white_check_mark: Recrawled: *{shown}* is up to date{_pages(pages)}."
    else:
        text = (
            f":white_check_mark: *{shown}* is ready{_pages(pages)}: personas and calls can use "
            "it from the knowledge base."
        )
    return kit.message(text, [kit.section(text)])


def error_message(
    name: str | None, reason: object, *, document_id: str, recrawl: bool = False
) -> tuple[str, Blocks]:
    shown = one_line(name or "the document")
    if recrawl:
        again = code(f"/tavus document recrawl {plain(document_id, 80)}")
        what_now = f"Try again in an hour with {again}."
        text = f":x: The recrawl of *{shown}* failed: {reason_words(reason)}.\n{what_now}"
    else:
        text = f":x: Tavus could not add *{shown}*: {reason_words(reason)}.\n{ADD_AGAIN}"
    return kit.message(text, [kit.section(text)])


def recrawl_started_message(user_id: str) -> tuple[str, Blocks]:
    text = (
        f":arrows_counterclockwise: {user_mention(user_id)} asked Tavus to crawl the website "
        "again; the result follows here."
    )
    return kit.message(text, [kit.section(text)])


# -- listings and details ------------------------------------------------------------------


def _status(document: Document) -> str:
    status = one_line(document.status or "unknown", _STATUS_MAX)
    if document.status in (domain.PROCESSING, domain.RECRAWLING) and document.progress is not None:
        status += f" {max(0, min(100, document.progress))}%"
    return status


def document_line(document: Document) -> str:
    """One mrkdwn line of `/tavus documents`; every part capped so the line fits a section."""
    name = one_line(document.document_name or "Untitled")
    line = f"{shown_id(document.document_id)} *{name}* · {_status(document)}"
    if tags := tag_words(list(document.tags)):
        line += f" · {tags}"
    if source := source_link(document.document_url):
        line += f" · {source}"
    return line


def document_details(document: Document) -> tuple[str, Blocks]:
    """`/tavus document show`: the facts, the crawl, and what went wrong if it did."""
    name = one_line(document.document_name or "Untitled document")
    facts = [f"*{name}* {shown_id(document.document_id)}", f"*Status:* {_status(document)}"]
    if source := source_link(document.document_url):
        facts.append(f"*Source:* {source}")
    facts.append(f"*Tags:* {tag_words(list(document.tags)) or 'none'}")
    if crawl := crawl_words(document.crawl):
        facts.append(f"*Crawl:* {crawl}{_crawled(document)}")
    if document.status == domain.ERROR:
        facts.append(f"*Failed:* {reason_words(document.error_message)}")
    facts.append(
        f"*Created:* {one_line(document.created_at or '—', _TIME_MAX)}   "
        f"*Updated:* {one_line(document.updated_at or '—', _TIME_MAX)}"
    )
    blocks: Blocks = [kit.section("\n".join(facts))]
    if pages := _page_links(document.crawled_urls):
        blocks.append(kit.context(pages))
    return kit.message(f"Document {one_line(document.document_id, 80)}", blocks)


def _crawled(document: Document) -> str:
    parts = []
    if document.crawl_count:
        times = "once" if document.crawl_count == 1 else f"{document.crawl_count} times"
        parts.append(f"crawled {times}")
    if document.last_crawled_at:
        parts.append(f"last {one_line(document.last_crawled_at, _TIME_MAX)}")
    return f" ({', '.join(parts)})" if parts else ""


def _page_links(urls: Sequence[str]) -> str:
    links = [link for url in urls[:PAGES_SHOWN] if (link := join_link(url, _short(url)))]
    if not links:
        return ""
    more = f" and {len(urls) - PAGES_SHOWN} more" if len(urls) > PAGES_SHOWN else ""
    return f"Pages read: {' · '.join(links)}{more}"


def _short(url: str) -> str:
    return url.split("://", 1)[-1][:60]


def unsupported_warning(
    url: str, extension: str, *, what_now: str = "If it is a web page, add it anyway."
) -> str:
    """Said before anything is sent: Tavus would refuse this file type."""
    return (
        f":warning: {code(extension)} is not a file type Tavus reads, so {code(plain(url, 200))} "
        f"would fail. {domain.FORMATS_TEXT} {what_now}"
    )
