"""`tavus.documents`: the knowledge base (files and crawled websites) personas can read.

Unlike most lists, documents count pages from 0. A missing document is a 404, and PATCH is
plain JSON (not JSON Patch) whose `tags` replace the whole list.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Literal

from ._http import APIResource, given, known_fields, listed, path_param, query, unwrap_one
from ._paging import walk_either_numbering
from .errors import Conflict, DocumentBusy, RateLimited, RecrawlCooldown
from .models import CrawlConfig, Document, Page

PATH = "/v2/documents"
FIRST_PAGE = 0
CRAWL_LIMITS = {"depth": (1, 10), "max_pages": (1, 100)}
URL_SCHEMES = ("http://", "https://")
Sort = Literal["ascending", "descending"]


def _check_crawl(crawl: CrawlConfig | None) -> dict[str, Any] | None:
    if crawl is None:
        return None
    checked = known_fields("crawl", crawl, CrawlConfig)
    for key, (low, high) in CRAWL_LIMITS.items():
        value = checked.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"crawl.{key} must be a whole number from {low} to {high}")
    return checked


def _checked_url(document_url: str) -> str:
    """The URL with its scheme in lower case (``HTTPS://`` is the same address)."""
    url = document_url.strip()
    scheme, colon, rest = url.partition(":")
    url = f"{scheme.lower()}{colon}{rest}"
    if not url.startswith(URL_SCHEMES):
        raise ValueError("document_url must be an http(s) URL of a file or a website")
    return url


def _comma_joined_tags(tags: Sequence[str] | None) -> str | None:
    """The list filter takes tags as one comma-separated string."""
    names = listed("tags", tags)
    if not names:
        return None
    if any("," in name or not name.strip() for name in names):
        raise ValueError("tags must be non-empty and must not contain ','")
    return ",".join(names)


class Documents(APIResource):
    id_name = "document_id"

    async def create(
        self,
        *,
        document_url: str,
        document_name: str | None = None,
        tags: Sequence[str] | None = None,
        crawl: CrawlConfig | None = None,
        callback_url: str | None = None,
    ) -> Document:
        """Start processing a file or website (minutes). Never retried: a retry could add a
        second document. ``crawl`` follows links from a website URL."""
        body = given(
            document_url=_checked_url(document_url),
            document_name=document_name,
            tags=listed("tags", tags),
            crawl=_check_crawl(crawl),
            callback_url=callback_url,
        )
        return Document.from_api(await self._create(PATH, body))

    async def get(self, document_id: str) -> Document:
        path = f"{PATH}/{path_param('document_id', document_id)}"
        data = await self._get_one(path)
        return Document.from_api(
            unwrap_one(data, ("document_id", "uuid"), f"Document {document_id}")
        )

    async def list(
        self,
        *,
        page: int = FIRST_PAGE,
        limit: int = 10,
        sort: Sort | None = None,
        status: str | None = None,
        name_or_uuid: str | None = None,
        tags: Sequence[str] | None = None,
    ) -> Page[Document]:
        """One page; pages count from 0."""
        return await self._get_page(
            PATH,
            Document.from_api,
            page=page,
            limit=limit,
            first_page=FIRST_PAGE,
            sort=sort,
            status=status,
            name_or_uuid=name_or_uuid or None,
            tags=_comma_joined_tags(tags),
        )

    def iter_all(
        self,
        *,
        sort: Sort | None = None,
        status: str | None = None,
        name_or_uuid: str | None = None,
        tags: Sequence[str] | None = None,
        limit: int = 100,
    ) -> AsyncIterator[Document]:
        # Pages from 0, walked until `total_count`: the server may cap `limit` (undocumented).
        filters = query(
            sort=sort,
            status=status,
            name_or_uuid=name_or_uuid or None,
            tags=_comma_joined_tags(tags),
        )
        return walk_either_numbering(
            lambda page: self._get(PATH, {**query(page=page, limit=limit), **filters}),
            Document.from_api,
            key=lambda document: document.document_id,
            limit=limit,
        )

    async def update(
        self,
        document_id: str,
        *,
        document_name: str | None = None,
        tags: Sequence[str] | None = None,
    ) -> Document:
        """Rename and/or retag; ``tags`` replaces the whole list (``[]`` clears it)."""
        if document_name is None and tags is None:
            raise ValueError("give document_name, tags or both")
        if document_name is not None and not document_name.strip():
            raise ValueError("document_name must not be empty")
        path = f"{PATH}/{path_param('document_id', document_id)}"
        body = given(document_name=document_name, tags=listed("tags", tags))
        answer = await self._patch_one(path, body, idempotent=True)
        if isinstance(answer, Mapping):
            return Document.from_api(answer)
        return await self.get(document_id)

    async def recrawl(self, document_id: str, *, crawl: CrawlConfig | None = None) -> Document:
        """Fetch a crawled website again (202); ``crawl`` overrides depth/pages this time only.

        Raises DocumentBusy (409) while it is still crawling or processing and
        RecrawlCooldown (429) within an hour of the last recrawl. Never retried: the retry of
        a recrawl that started would only meet one of those.
        """
        path = f"{PATH}/{path_param('document_id', document_id)}/recrawl"
        body = None if crawl is None else {"crawl": _check_crawl(crawl)}
        try:
            answer = await self._requester.request("POST", path, body=body, idempotent=False)
        except Conflict as exc:
            raise DocumentBusy(exc.status_code, exc.message, exc.body) from exc
        except RateLimited as exc:
            raise RecrawlCooldown(
                exc.status_code, exc.message, exc.body, retry_after=exc.retry_after
            ) from exc
        if isinstance(answer, Mapping):
            return Document.from_api(answer)
        return await self.get(document_id)

    async def delete(self, document_id: str) -> None:
        await self._delete_one(f"{PATH}/{path_param('document_id', document_id)}")
