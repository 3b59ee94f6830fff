from __future__ import annotations

from typing import Any

import pytest

from bot.tavus import (
    Document,
    DocumentBusy,
    NotFound,
    RateLimited,
    RecrawlCooldown,
    TavusStatusError,
)
from bot.tavus.errors import Conflict
from bot.tavus.models import DOCUMENT_STATUSES

from .conftest import MakeTavus, RecordingSleep
from .mock_api import (
    Recorder,
    already_crawling,
    document_not_found,
    no_content,
    ok,
    paged_from_zero,
    recrawl_cooldown,
    unavailable,
    unreachable,
)

URL = "https://docs.example.test/"
DOCUMENT: dict[str, Any] = {
    "document_id": "d8-5c71baca86fc",
    "document_name": "Example Docs",
    "document_url": URL,
    "status": "processing",
    "progress": 40,
    "error_message": None,
    "created_at": "2024-01-01T12:00:00Z",
    "updated_at": "2024-01-01T12:05:00Z",
    "callback_url": "https://app.test/tavus/callbacks/tok",
    "tags": ["docs", "website"],
    "crawl_config": {"depth": 2, "max_pages": 10},
    "crawled_urls": None,
    "last_crawled_at": None,
    "crawl_count": 1,
}


async def test_create_sends_every_given_field(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(DOCUMENT))
    document = await make_tavus(recorder).documents.create(
        document_url=URL,
        document_name="Example Docs",
        tags=["docs", "website"],
        crawl={"depth": 2, "max_pages": 10},
        callback_url="https://app.test/tavus/callbacks/tok",
    )

    assert (recorder.last.method, recorder.last.url.path) == ("POST", "/v2/documents")
    assert recorder.body() == {
        "document_url": URL,
        "document_name": "Example Docs",
        "tags": ["docs", "website"],
        "crawl": {"depth": 2, "max_pages": 10},
        "callback_url": "https://app.test/tavus/callbacks/tok",
    }
    assert document.document_id == "d8-5c71baca86fc"
    assert (document.status, document.progress, document.crawl_count) == ("processing", 40, 1)
    assert document.crawl == {"depth": 2, "max_pages": 10}
    assert not document.is_finished


async def test_create_sends_only_the_url_when_that_is_all(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(DOCUMENT))
    await make_tavus(recorder).documents.create(document_url=URL)

    assert recorder.body() == {"document_url": URL}


async def test_an_upper_case_scheme_is_the_same_address(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(DOCUMENT))
    await make_tavus(recorder).documents.create(document_url="HTTPS://Docs.example.com/A.pdf")

    assert recorder.body() == {"document_url": "https://Docs.example.com/A.pdf"}


async def test_create_is_never_retried(make_tavus: MakeTavus) -> None:
    recorder = Recorder(unreachable, ok(DOCUMENT))
    with pytest.raises(Exception, match="Could not reach Tavus"):
        await make_tavus(recorder).documents.create(document_url=URL)

    assert len(recorder.requests) == 1


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"document_url": "ftp://x.test/a.pdf"}, "http"),
        ({"document_url": " "}, "http"),
        ({"document_url": URL, "crawl": {"depth": 0}}, "crawl.depth"),
        ({"document_url": URL, "crawl": {"depth": 11}}, "crawl.depth"),
        ({"document_url": URL, "crawl": {"max_pages": 101}}, "crawl.max_pages"),
        ({"document_url": URL, "crawl": {"max_pages": 0}}, "crawl.max_pages"),
        ({"document_url": URL, "crawl": {"depth": 2.5}}, "crawl.depth"),
        ({"document_url": URL, "crawl": {"depth": True}}, "crawl.depth"),
        ({"document_url": URL, "crawl": {"pages": 3}}, "unknown field"),
    ],
    ids=["scheme", "blank", "depth-0", "depth-11", "pages-101", "pages-0", "float", "bool", "typo"],
)
async def test_create_refuses_bad_input(
    make_tavus: MakeTavus, options: dict[str, Any], match: str
) -> None:
    recorder = Recorder(ok(DOCUMENT))
    with pytest.raises(ValueError, match=match):
        await make_tavus(recorder).documents.create(**options)

    assert recorder.requests == []


async def test_crawl_limits_are_inclusive(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(DOCUMENT))
    for crawl in ({"depth": 1, "max_pages": 1}, {"depth": 10, "max_pages": 100}):
        await make_tavus(recorder).documents.create(document_url=URL, crawl=crawl)  # type: ignore[arg-type]

    assert len(recorder.requests) == 2


async def test_get_reads_the_older_uuid(make_tavus: MakeTavus) -> None:
    older = {"uuid": "d290f1ee", "document_name": "Old", "status": "ready", "tags": []}
    recorder = Recorder(ok(older))
    document = await make_tavus(recorder).documents.get("d290f1ee")

    assert recorder.last.url.path == "/v2/documents/d290f1ee"
    assert (document.document_id, document.is_ready, document.is_finished) == (
        "d290f1ee",
        True,
        True,
    )


async def test_get_missing_is_not_found(make_tavus: MakeTavus) -> None:
    with pytest.raises(NotFound) as caught:
        await make_tavus(document_not_found).documents.get("d1")

    assert caught.value.message == "Document not found"


async def test_list_counts_pages_from_zero_and_sends_filters(make_tavus: MakeTavus) -> None:
    answer = {"data": [DOCUMENT], "total_count": 11, "page": 0, "limit": 10}
    recorder = Recorder(ok(answer))
    page = await make_tavus(recorder).documents.list(
        sort="descending", status="ready", name_or_uuid="Example", tags=["docs", "website"]
    )

    assert dict(recorder.last.url.params) == {
        "page": "0",
        "limit": "10",
        "sort": "descending",
        "status": "ready",
        "name_or_uuid": "Example",
        "tags": "docs,website",
    }
    assert (page.page, page.first_page) == (0, 0)
    assert not page.has_more  # one row on a page of ten


async def test_list_has_more_counts_from_zero(make_tavus: MakeTavus) -> None:
    rows = [{**DOCUMENT, "document_id": f"d{i}"} for i in range(3)]
    tavus = make_tavus(paged_from_zero(rows, total_count=3))

    first, last = await tavus.documents.list(limit=2), await tavus.documents.list(page=1, limit=2)
    assert first.has_more
    assert not last.has_more
    assert [d.document_id for d in last.items] == ["d2"]


async def test_list_refuses_tags_with_commas(make_tavus: MakeTavus) -> None:
    with pytest.raises(ValueError, match="','"):
        await make_tavus(ok({})).documents.list(tags=["a,b"])


async def test_iter_all_walks_from_page_zero(make_tavus: MakeTavus) -> None:
    rows = [{**DOCUMENT, "document_id": f"d{i}"} for i in range(5)]
    recorder = Recorder(paged_from_zero(rows, total_count=5))
    found = [
        d.document_id
        async for d in make_tavus(recorder).documents.iter_all(status="ready", limit=2)
    ]

    assert found == ["d0", "d1", "d2", "d3", "d4"]
    assert [r.url.params["page"] for r in recorder.requests] == ["0", "1", "2"]
    assert {r.url.params["status"] for r in recorder.requests} == {"ready"}


async def test_update_is_plain_json_and_retried(make_tavus: MakeTavus) -> None:
    renamed = {**DOCUMENT, "document_name": "Renamed", "tags": []}
    recorder = Recorder(unavailable, ok(renamed))
    document = await make_tavus(recorder).documents.update("d1", document_name="Renamed", tags=[])

    assert (recorder.last.method, recorder.last.url.path) == ("PATCH", "/v2/documents/d1")
    assert recorder.last.headers["content-type"] == "application/json"
    assert recorder.body() == {"document_name": "Renamed", "tags": []}
    assert (document.document_name, document.tags) == ("Renamed", ())
    assert len(recorder.requests) == 2


async def test_update_without_a_document_in_the_answer_reads_it_again(
    make_tavus: MakeTavus,
) -> None:
    recorder = Recorder(no_content, ok(DOCUMENT))
    document = await make_tavus(recorder).documents.update("d1", tags=["docs"])

    assert recorder.body(0) == {"tags": ["docs"]}
    assert [r.method for r in recorder.requests] == ["PATCH", "GET"]
    assert document.document_id == "d8-5c71baca86fc"


@pytest.mark.parametrize(
    ("options", "match"),
    [({}, "document_name, tags or both"), ({"document_name": " "}, "must not be empty")],
)
async def test_update_refuses_nothing_to_do(
    make_tavus: MakeTavus, options: dict[str, Any], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        await make_tavus(ok(DOCUMENT)).documents.update("d1", **options)


async def test_recrawl_202_returns_the_document(make_tavus: MakeTavus) -> None:
    recrawling = {**DOCUMENT, "status": "recrawling"}
    recorder = Recorder(ok(recrawling, status_code=202))
    tavus = make_tavus(recorder)
    plain = await tavus.documents.recrawl("d1")
    await tavus.documents.recrawl("d1", crawl={"depth": 3, "max_pages": 50})

    assert (recorder.requests[0].method, recorder.requests[0].url.path) == (
        "POST",
        "/v2/documents/d1/recrawl",
    )
    assert recorder.requests[0].content == b""
    assert recorder.body() == {"crawl": {"depth": 3, "max_pages": 50}}
    assert plain.status == "recrawling"


async def test_recrawl_while_crawling_is_document_busy(make_tavus: MakeTavus) -> None:
    recorder = Recorder(already_crawling)
    with pytest.raises(DocumentBusy) as caught:
        await make_tavus(recorder).documents.recrawl("d1")

    assert isinstance(caught.value, Conflict)
    assert caught.value.status_code == 409
    assert "already being crawled" in caught.value.user_message
    assert len(recorder.requests) == 1


async def test_recrawl_within_the_hour_is_cooldown_and_not_retried(
    make_tavus: MakeTavus, sleep: RecordingSleep
) -> None:
    recorder = Recorder(recrawl_cooldown)
    with pytest.raises(RecrawlCooldown) as caught:
        await make_tavus(recorder).documents.recrawl("d1")

    assert isinstance(caught.value, RateLimited)
    assert "wait an hour" in caught.value.user_message
    assert "45 minutes" in caught.value.message
    assert (len(recorder.requests), sleep.delays) == (1, [])


async def test_recrawl_other_errors_pass_through(make_tavus: MakeTavus) -> None:
    not_crawled = ok({"error": "Document was not created with crawl configuration"}, 400)
    with pytest.raises(TavusStatusError) as caught:
        await make_tavus(not_crawled).documents.recrawl("d1")

    assert type(caught.value).__name__ == "BadRequest"


async def test_delete_is_retried(make_tavus: MakeTavus) -> None:
    recorder = Recorder(unavailable, no_content)
    await make_tavus(recorder).documents.delete("d1")

    assert [(r.method, r.url.path) for r in recorder.requests] == [
        ("DELETE", "/v2/documents/d1")
    ] * 2


def test_document_statuses_and_odd_values() -> None:
    assert DOCUMENT_STATUSES == ("started", "processing", "ready", "error", "recrawling")
    document = Document.from_api(
        {
            "document_id": "d1",
            "progress": "soon",
            "tags": [{"tag_name": "x"}],
            "crawl": {"depth": 1},
        }
    )

    assert (document.progress, document.tags, document.crawl) == (None, ("x",), {"depth": 1})
    with pytest.raises(KeyError):
        Document.from_api({"document_name": "no id"})
