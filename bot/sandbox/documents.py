"""/v2/documents: the knowledge base. Create (processing + callbacks), get, list, PATCH
(plain JSON), recrawl, delete.

A document is a file (`.pdf .txt .docx .doc .png .jpg .pptx .csv .xlsx`) or a website (no
extension, or a page's: `.html`...); `crawl` (`depth` 1-10, `max_pages` 1-100) is for
websites only. The create answers `started`; then `processing` with `progress` (0-100)
stepping for `document_delay` seconds; then `ready` (progress null), or `error` with an
`error_message` code, halfway: any other extension fails with `file_format_unsupported`, a
URL containing `fail` with `file_download_failed` (`website_processing_failed` for a site),
and every document (or recrawl) started while the `document_error` option holds a code
fails with it. Each status change posts the whole document to `callback_url`.

Recrawl (crawl-backed websites): 202 `recrawling`, then `ready` (sent again) or `error`;
409 unless `ready` or `error`; 429 within `recrawl_cooldown` of the last recrawl; 400 when
the document has no crawl settings and the request gives none. Creating a crawl document
past `crawl_document_limit`, or any crawl while 5 run, answers 429. An unknown document
is 404 `{"message": "Document not found"}`. Lists count pages from 0 and echo `page` and
`limit`. The id is `document_id` (`document_id_field: "uuid"` for older answers).
"""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.sandbox.errors import ApiError, api_message, bad_request, read_object
from bot.sandbox.jobs import advance, url_marked
from bot.sandbox.pagination import paginate
from bot.sandbox.state import SandboxState, iso_now

FILE_EXTENSIONS = (".pdf", ".txt", ".docx", ".doc", ".png", ".jpg", ".pptx", ".csv", ".xlsx")
PAGE_EXTENSIONS = ("", ".html", ".htm", ".php", ".asp", ".aspx", ".jsp")
STATUSES = ("started", "processing", "ready", "error", "recrawling")
RUNNING = ("started", "processing", "recrawling")
SORTS = ("ascending", "descending")
CRAWL_LIMITS = {"depth": (1, 10), "max_pages": (1, 100)}
DEFAULT_CRAWL = {"depth": 2, "max_pages": 10}  # the spec's examples; neither is required
CONCURRENT_CRAWLS = 5
CREATE_FIELDS = frozenset({"document_url", "document_name", "callback_url", "tags", "crawl"})
# `properties` is in tavus-api.md's create, not in the spec: kept and echoed.
CREATE_FIELDS_OLD = CREATE_FIELDS | {"properties"}
PATCH_FIELDS = frozenset({"document_name", "tags"})
NOT_FOUND = "Document not found"
INVALID = "Invalid request: "
NO_CRAWL = "Document was not created with crawl configuration"
CRAWL_LIMIT = (
    "Crawl document limit reached ({limit}). Contact support@tavus.io to increase your limit."
)
CONCURRENT_LIMIT = "Too many concurrent crawls ({limit}). Wait for one to finish."  # undocumented
NOT_RECRAWLABLE = (
    "Document must be in 'ready' or 'error' state to recrawl, current status: {status}"
)
COOLDOWN = "Recrawl cooldown: please wait {minutes} minutes before recrawling this document."


def add_routes(app: web.Application, state: SandboxState) -> None:
    handlers = _DocumentHandlers(state)
    app.router.add_post("/v2/documents", handlers.create)
    app.router.add_get("/v2/documents", handlers.index)
    app.router.add_get("/v2/documents/{document_id}", handlers.show)
    app.router.add_patch("/v2/documents/{document_id}", handlers.update)
    app.router.add_post("/v2/documents/{document_id}/recrawl", handlers.recrawl)
    app.router.add_delete("/v2/documents/{document_id}", handlers.delete)


@dataclass
class Document:
    document_id: str
    document_url: str
    document_name: str
    website: bool
    callback_url: str | None = None
    tags: list[str] = field(default_factory=list)
    properties: dict[str, Any] | None = None
    crawl: dict[str, int] | None = None
    status: str = "started"
    progress: int | None = None
    error_message: str | None = None
    created_at: str = field(default_factory=iso_now)
    updated_at: str = field(default_factory=iso_now)
    crawled_urls: list[str] | None = None
    last_crawled_at: str | None = None
    crawl_count: int = 0
    recrawl_crawl: dict[str, int] | None = None
    """This recrawl's settings, when its request gave some (they last for it alone)."""
    recrawled_at: float | None = None
    """`time.monotonic()` of the last recrawl request: the cooldown counts from it."""

    @property
    def crawl_config(self) -> dict[str, int] | None:
        return self.recrawl_crawl or self.crawl

    @property
    def crawling(self) -> bool:
        return self.crawl_config is not None and self.status in RUNNING

    def to_api(self, id_field: str = "document_id") -> dict[str, Any]:
        answer: dict[str, Any] = {
            id_field: self.document_id,
            "document_name": self.document_name,
            "document_url": self.document_url,
            "status": self.status,
            "progress": self.progress,
            "error_message": self.error_message,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "callback_url": self.callback_url,
            "tags": list(self.tags),
        }
        if self.properties is not None:
            answer["properties"] = self.properties
        if self.crawl_config is not None or self.crawl_count:
            answer.update(
                crawl_config=self.crawl_config,
                crawled_urls=self.crawled_urls,
                last_crawled_at=self.last_crawled_at,
                crawl_count=self.crawl_count,
            )
        return answer

    def step(self, percent: int) -> None:
        if self.status == "started":
            self.status = "processing"
        self.progress, self.updated_at = percent, iso_now()

    def finish(self, error: str | None) -> None:
        self.status, self.error_message = ("error", error) if error else ("ready", None)
        self.progress, self.updated_at = None, iso_now()
        if error is None and self.crawl_config is not None:
            self.crawled_urls = _crawled_urls(self.document_url, self.crawl_config)
            self.last_crawled_at, self.crawl_count = self.updated_at, self.crawl_count + 1
        self.recrawl_crawl = None


def _crawled_urls(url: str, crawl: dict[str, int]) -> list[str]:
    base = url.rstrip("/")
    pages = min(crawl["max_pages"], 1 + 2 * crawl["depth"])
    return [url, *(f"{base}/page-{index}" for index in range(1, pages))]


# Validation


def _invalid(message: str) -> ApiError:
    return bad_request(INVALID + message)


def _extension(url: str) -> str:
    return PurePosixPath(urlsplit(url).path).suffix.lower()


def _document_url(body: dict[str, Any]) -> str:
    url = body.get("document_url")
    if url is None or url == "":
        raise _invalid("document_url is required")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise _invalid("document_url must be an http(s) URL")
    return url


def _crawl(value: Any, *, website: bool) -> dict[str, int] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - set(CRAWL_LIMITS):
        raise _invalid("crawl must be an object with depth and max_pages")
    if not website:
        raise _invalid("crawl is only supported for website URLs")
    crawl = {**DEFAULT_CRAWL, **value}
    for key, (low, high) in CRAWL_LIMITS.items():
        if type(crawl[key]) is not int or not low <= crawl[key] <= high:
            raise _invalid(f"crawl.{key} must be an integer between {low} and {high}")
    return crawl


def _text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise _invalid(f"{key} must be a non-empty string")
    return value


def _tags(body: dict[str, Any]) -> list[str]:
    value = body.get("tags")
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(t, str) and t for t in value):
        raise _invalid("tags must be a list of strings")
    return list(dict.fromkeys(value))


def _callback_url(body: dict[str, Any]) -> str | None:
    value = body.get("callback_url")
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        raise _invalid("callback_url must be an http(s) URL")
    return value


def _properties(body: dict[str, Any]) -> dict[str, Any] | None:
    value = body.get("properties")
    if value is not None and not isinstance(value, dict):
        raise _invalid("properties must be an object")
    return value


def _new_document(body: dict[str, Any]) -> Document:
    unknown = sorted(set(body) - CREATE_FIELDS_OLD)
    if unknown:
        raise _invalid(f"unknown field {unknown[0]}")
    url = _document_url(body)
    website = _extension(url) in PAGE_EXTENSIONS
    document_id = f"d{secrets.randbelow(10)}-{secrets.token_hex(6)}"
    return Document(
        document_id=document_id,
        document_url=url,
        document_name=_text(body, "document_name") or f"Document {document_id}",
        website=website,
        callback_url=_callback_url(body),
        tags=_tags(body),
        properties=_properties(body),
        crawl=_crawl(body.get("crawl"), website=website),
    )


# Processing


def _planned_error(state: SandboxState, document: Document) -> str | None:
    if state.document_error is not None:
        return state.document_error
    if not document.website and _extension(document.document_url) not in FILE_EXTENSIONS:
        return "file_format_unsupported"
    if url_marked(document.document_url):
        return "website_processing_failed" if document.website else "file_download_failed"
    return None


def _check_crawl_capacity(state: SandboxState, *, new_document: bool) -> None:
    crawls = [d for d in state.documents.values() if d.crawl is not None]
    if new_document and len(crawls) >= state.crawl_document_limit:
        limit = state.crawl_document_limit
        raise ApiError(429, {"error": CRAWL_LIMIT.format(limit=limit)})
    if sum(1 for d in state.documents.values() if d.crawling) >= CONCURRENT_CRAWLS:
        raise ApiError(429, {"error": CONCURRENT_LIMIT.format(limit=CONCURRENT_CRAWLS)})


def _notify(state: SandboxState, document: Document) -> None:
    if document.callback_url:
        payload = document.to_api(state.document_id_field)
        state.send_callbacks(document.callback_url, [payload], key=document.document_id)


async def _process(state: SandboxState, document: Document, error: str | None) -> None:
    def step(percent: int) -> None:
        announce = document.status == "started"
        document.step(percent)
        if announce:
            _notify(state, document)

    await advance(state.document_delay, step, failing=error is not None)
    document.finish(error)
    _notify(state, document)


def _start(state: SandboxState, document: Document) -> None:
    _notify(state, document)
    error = _planned_error(state, document)
    state.start_job(document.document_id, _process(state, document, error))


# Recrawl


async def _recrawl_body(request: web.Request) -> dict[str, Any]:
    if not (await request.text()).strip():
        return {}
    body = await read_object(request)
    if set(body) - {"crawl"}:
        raise _invalid("a recrawl takes only crawl")
    return body


def _check_recrawl(state: SandboxState, document: Document, crawl: dict[str, int] | None) -> None:
    if document.crawl is None and crawl is None:
        raise bad_request(NO_CRAWL)
    if document.status not in ("ready", "error"):
        raise ApiError(409, {"error": NOT_RECRAWLABLE.format(status=document.status)})
    if document.recrawled_at is not None:
        remaining = state.recrawl_cooldown - (time.monotonic() - document.recrawled_at)
        if remaining > 0:
            minutes = max(1, math.ceil(remaining / 60))
            raise ApiError(429, {"error": COOLDOWN.format(minutes=minutes)})
    _check_crawl_capacity(state, new_document=False)


# Listing


def _sorted(request: web.Request, documents: list[Document]) -> list[Document]:
    sort = request.query.get("sort") or "ascending"
    if sort not in SORTS:
        raise _invalid("sort must be one of: ascending, descending")
    return list(reversed(documents)) if sort == "descending" else documents


def _filtered(request: web.Request, documents: list[Document]) -> list[Document]:
    status = request.query.get("status") or None
    if status not in (None, *STATUSES):
        raise _invalid(f"status must be one of: {', '.join(STATUSES)}")
    search = (request.query.get("name_or_uuid") or "").lower()
    tags = {tag.strip() for tag in (request.query.get("tags") or "").split(",") if tag.strip()}
    return [
        d
        for d in documents
        if status in (None, d.status)
        and (search in d.document_name.lower() or search == d.document_id.lower())
        and (not tags or tags & set(d.tags))
    ]


class _DocumentHandlers:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def _find(self, request: web.Request) -> Document:
        document = self.state.documents.get(request.match_info["document_id"])
        if document is None:
            raise api_message(404, NOT_FOUND)
        return document

    def _answer(self, document: Document, status: int = 200) -> web.Response:
        return web.json_response(document.to_api(self.state.document_id_field), status=status)

    async def create(self, request: web.Request) -> web.Response:
        document = _new_document(await read_object(request))
        if document.crawl is not None:
            _check_crawl_capacity(self.state, new_document=True)
        self.state.documents[document.document_id] = document
        _start(self.state, document)
        return self._answer(document)

    async def index(self, request: web.Request) -> web.Response:
        documents = _filtered(request, _sorted(request, list(self.state.documents.values())))
        items = [d.to_api(self.state.document_id_field) for d in documents]
        return web.json_response(paginate(request, items, first_page=0, echo=True))

    async def show(self, request: web.Request) -> web.Response:
        return self._answer(self._find(request))

    async def update(self, request: web.Request) -> web.Response:
        document = self._find(request)
        body = await read_object(request)
        unknown = sorted(set(body) - PATCH_FIELDS)
        if unknown:
            raise _invalid(f"{unknown[0]} cannot be updated (only document_name and tags)")
        name = _text(body, "document_name")
        if name is not None:
            document.document_name = name
        if "tags" in body:
            document.tags = _tags(body)  # the new list replaces the old one
        document.updated_at = iso_now()
        return self._answer(document)

    async def recrawl(self, request: web.Request) -> web.Response:
        document = self._find(request)
        crawl = _crawl((await _recrawl_body(request)).get("crawl"), website=document.website)
        _check_recrawl(self.state, document, crawl)
        document.recrawl_crawl, document.recrawled_at = crawl, time.monotonic()
        document.status, document.progress, document.error_message = "recrawling", None, None
        document.updated_at = iso_now()
        _start(self.state, document)
        return self._answer(document, status=202)

    async def delete(self, request: web.Request) -> web.Response:
        document = self._find(request)
        self.state.stop_job(document.document_id)  # a deleted document is never called back
        del self.state.documents[document.document_id]
        return web.Response(status=204)
