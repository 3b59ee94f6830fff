"""/v2/documents: processing with progress and callbacks, crawls, recrawls, lists, errors."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.sandbox.conftest import (
    OBSERVABLE_JOB_SECONDS,
    Receiver,
    Sandbox,
    StartSandbox,
    create_document,
    distinct,
    poll,
)

PDF = "https://files.example.com/handbook.pdf"
SITE = "https://docs.example.com/"
CRAWL = {"depth": 2, "max_pages": 10}
NOT_FOUND = {"message": "Document not found"}


async def _create(sandbox: Sandbox, **fields: Any) -> dict[str, Any]:
    response = await sandbox.client.post("/v2/documents", json={"document_url": PDF, **fields})
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


async def _settled(sandbox: Sandbox, document_id: str) -> dict[str, Any]:
    answers = await poll(
        sandbox.client,
        f"/v2/documents/{document_id}",
        lambda d: d["status"] in ("ready", "error"),
    )
    return answers[-1]


async def test_create_answers_the_document_started(sandbox: Sandbox, receiver: Receiver) -> None:
    created = await _create(
        sandbox, document_name="Handbook", tags=["hr", "policies"], callback_url=receiver.url
    )

    assert re.fullmatch(r"d\d-[0-9a-f]{12}", created["document_id"])
    assert created["status"] == "started"
    assert created["progress"] is None and created["error_message"] is None
    assert (created["document_name"], created["document_url"]) == ("Handbook", PDF)
    assert created["tags"] == ["hr", "policies"]
    assert created["callback_url"] == receiver.url
    assert created["created_at"].endswith("Z")
    assert "crawl_config" not in created  # only crawled websites have crawl fields


async def test_a_document_without_a_name_gets_one(sandbox: Sandbox) -> None:
    created = await _create(sandbox)

    assert created["document_name"] == f"Document {created['document_id']}"


async def test_polling_sees_processing_with_progress_then_ready(
    start_sandbox: StartSandbox,
) -> None:
    sandbox = await start_sandbox(document_delay=OBSERVABLE_JOB_SECONDS)
    document_id = (await _create(sandbox))["document_id"]

    answers = await poll(
        sandbox.client, f"/v2/documents/{document_id}", lambda d: d["status"] == "ready"
    )

    statuses = distinct([a["status"] for a in answers])
    assert statuses in (["started", "processing", "ready"], ["processing", "ready"])
    progress = [a["progress"] for a in answers if a["status"] == "processing"]
    assert progress == sorted(progress) and len(set(progress)) >= 3
    assert all(0 < p < 100 for p in progress)
    assert answers[-1]["progress"] is None and answers[-1]["error_message"] is None


async def test_each_status_change_calls_back_with_the_whole_document(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    document_id = (await _create(sandbox, callback_url=receiver.url))["document_id"]

    started, processing, ready = await receiver.wait_for(3)

    assert [started["status"], processing["status"], ready["status"]] == [
        "started",
        "processing",
        "ready",
    ]
    assert processing["progress"] == 10
    assert ready == (await sandbox.client.get(f"/v2/documents/{document_id}")).json()


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("https://files.example.com/will-fail.pdf", "file_download_failed"),
        ("https://fail.example.com/", "website_processing_failed"),
        ("https://files.example.com/talk.mp4", "file_format_unsupported"),
        ("https://files.example.com/photo.jpeg", "file_format_unsupported"),
    ],
)
async def test_error_paths_end_halfway_with_an_error_code(
    sandbox: Sandbox, receiver: Receiver, url: str, error: str
) -> None:
    await _create(sandbox, document_url=url, callback_url=receiver.url)

    *_, processing, failed = await receiver.wait_for(3)

    assert processing["status"] == "processing"
    assert failed["status"] == "error"
    assert (failed["error_message"], failed["progress"]) == (error, None)


async def test_the_document_error_option_fails_new_documents(start_sandbox: StartSandbox) -> None:
    sandbox = await start_sandbox()
    sandbox.state.configure(document_error="embedding_failed")
    document_id = (await _create(sandbox))["document_id"]

    settled = await _settled(sandbox, document_id)

    assert (settled["status"], settled["error_message"]) == ("error", "embedding_failed")


@pytest.mark.parametrize(
    "url",
    [
        "https://files.example.com/a.txt",
        "https://files.example.com/a.DOCX",
        "https://files.example.com/a.doc",
        "https://files.example.com/a.png",
        "https://files.example.com/a.jpg",
        "https://files.example.com/a.pptx",
        "https://files.example.com/a.csv",
        "https://files.example.com/a.xlsx?signature=abc",
        "https://example.com/about.html",
        "https://example.com",
    ],
)
async def test_supported_formats_become_ready(sandbox: Sandbox, url: str) -> None:
    document_id = (await _create(sandbox, document_url=url))["document_id"]

    assert (await _settled(sandbox, document_id))["status"] == "ready"


async def test_a_crawled_website_lists_its_pages_once_ready(sandbox: Sandbox) -> None:
    created = await _create(sandbox, document_url=SITE, crawl={"depth": 1, "max_pages": 2})

    ready = await _settled(sandbox, created["document_id"])

    assert created["crawl_config"] == {"depth": 1, "max_pages": 2}
    assert (created["crawl_count"], created["crawled_urls"]) == (0, None)
    assert ready["crawled_urls"] == [SITE, "https://docs.example.com/page-1"]
    assert ready["crawl_count"] == 1
    assert ready["last_crawled_at"] == ready["updated_at"]


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"document_url": None}, "document_url is required"),
        ({"document_url": "docs.example.com/a.pdf"}, "document_url must be an http(s) URL"),
        ({"crawl": CRAWL}, "crawl is only supported for website URLs"),
        (
            {"document_url": SITE, "crawl": {"depth": 0}},
            "crawl.depth must be an integer between 1 and 10",
        ),
        (
            {"document_url": SITE, "crawl": {"depth": 11}},
            "crawl.depth must be an integer between 1",
        ),
        ({"document_url": SITE, "crawl": {"max_pages": 101}}, "crawl.max_pages must be an integer"),
        ({"document_url": SITE, "crawl": {"depth": "2"}}, "crawl.depth must be an integer"),
        ({"document_url": SITE, "crawl": {"width": 2}}, "crawl must be an object"),
        ({"tags": "hr"}, "tags must be a list of strings"),
        ({"document_name": ""}, "document_name must be a non-empty string"),
        ({"callback_url": "hooks"}, "callback_url must be an http(s) URL"),
        ({"properties": []}, "properties must be an object"),
        ({"format": "pdf"}, "unknown field format"),
    ],
)
async def test_create_refuses_with_the_specs_wording(
    sandbox: Sandbox, fields: dict[str, Any], error: str
) -> None:
    response = await sandbox.client.post("/v2/documents", json={"document_url": PDF, **fields})

    assert response.status_code == 400
    assert response.json()["error"].startswith(f"Invalid request: {error}")
    assert sandbox.state.documents == {}


async def test_properties_from_the_older_docs_are_echoed(sandbox: Sandbox) -> None:
    created = await _create(sandbox, properties={"department": "sales"})

    assert created["properties"] == {"department": "sales"}


async def test_crawl_document_limit_is_429(start_sandbox: StartSandbox) -> None:
    sandbox = await start_sandbox(crawl_document_limit=1)
    await _create(sandbox, document_url=SITE, crawl=CRAWL)
    await _create(sandbox, document_url=SITE)  # a single page is not a crawl

    response = await sandbox.client.post(
        "/v2/documents", json={"document_url": SITE, "crawl": CRAWL}
    )

    assert response.status_code == 429
    assert response.json() == {
        "error": "Crawl document limit reached (1). Contact support@tavus.io to increase your "
        "limit."
    }


async def test_a_sixth_concurrent_crawl_is_429(start_sandbox: StartSandbox) -> None:
    sandbox = await start_sandbox(document_delay=60)
    for _ in range(5):
        await _create(sandbox, document_url=SITE, crawl=CRAWL)

    response = await sandbox.client.post(
        "/v2/documents", json={"document_url": SITE, "crawl": CRAWL}
    )

    assert response.status_code == 429
    assert "concurrent crawls (5)" in response.json()["error"]


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("GET", ""), ("PATCH", ""), ("DELETE", ""), ("POST", "/recrawl")],
)
async def test_unknown_documents_are_404_with_a_message(
    sandbox: Sandbox, method: str, suffix: str
) -> None:
    response = await sandbox.client.request(
        method, f"/v2/documents/d0-000000000000{suffix}", json={}
    )

    assert (response.status_code, response.json()) == (404, NOT_FOUND)


async def test_the_older_uuid_field(start_sandbox: StartSandbox, receiver: Receiver) -> None:
    sandbox = await start_sandbox(document_id_field="uuid")

    created = await _create(sandbox, callback_url=receiver.url)
    [started, *_] = await receiver.wait_for(1)

    assert "document_id" not in created
    assert created["uuid"] in sandbox.state.documents
    assert started["uuid"] == created["uuid"]


# Lists


async def _list(sandbox: Sandbox, **params: Any) -> dict[str, Any]:
    response = await sandbox.client.get("/v2/documents", params=params)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _names(answer: dict[str, Any]) -> list[str]:
    return [document["document_name"] for document in answer["data"]]


async def test_list_pages_from_zero_echoing_page_and_limit(sandbox: Sandbox) -> None:
    for name in ("Alpha", "Beta", "Gamma"):
        await _create(sandbox, document_name=name)

    first = await _list(sandbox, limit=2)
    second = await _list(sandbox, limit=2, page=1)

    assert (first["page"], first["limit"], first["total_count"]) == (0, 2, 3)
    assert _names(first) + _names(second) == ["Alpha", "Beta", "Gamma"]
    assert second["page"] == 1


async def test_list_sorts_and_filters(sandbox: Sandbox) -> None:
    alpha = await _create(sandbox, document_name="Alpha guide", tags=["hr"])
    await _create(sandbox, document_name="Beta guide", tags=["sales", "hr"])
    await _create(sandbox, document_name="Gamma", document_url="https://x.test/fail.pdf")
    await _settled(sandbox, alpha["document_id"])

    assert _names(await _list(sandbox, sort="descending"))[0] == "Gamma"
    assert _names(await _list(sandbox, name_or_uuid="GUIDE")) == ["Alpha guide", "Beta guide"]
    assert _names(await _list(sandbox, name_or_uuid=alpha["document_id"])) == ["Alpha guide"]
    assert _names(await _list(sandbox, tags="sales,legal")) == ["Beta guide"]
    assert _names(await _list(sandbox, tags="hr")) == ["Alpha guide", "Beta guide"]
    assert _names(await _list(sandbox, status="ready", name_or_uuid="alpha")) == ["Alpha guide"]


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"sort": "asc"}, "Invalid request: sort must be one of: ascending, descending"),
        ({"status": "done"}, "Invalid request: status must be one of"),
        ({"page": -1}, "Invalid page"),
        ({"limit": 0}, "Invalid limit"),
    ],
)
async def test_list_refusals(sandbox: Sandbox, params: dict[str, Any], error: str) -> None:
    response = await sandbox.client.get("/v2/documents", params=params)

    assert response.status_code == 400
    assert response.json()["error"].startswith(error)


# PATCH and delete


async def test_patch_renames_and_replaces_the_tags(sandbox: Sandbox) -> None:
    document_id = await create_document(sandbox, tags=["hr", "policies"])

    response = await sandbox.client.patch(
        f"/v2/documents/{document_id}", json={"document_name": "Handbook 2025", "tags": ["legal"]}
    )

    body = response.json()
    assert response.status_code == 200
    assert (body["document_name"], body["tags"]) == ("Handbook 2025", ["legal"])
    assert body == (await sandbox.client.get(f"/v2/documents/{document_id}")).json()


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"document_url": "https://x.test/b.pdf"}, "document_url cannot be updated"),
        ({"tags": [1]}, "tags must be a list of strings"),
        ({"document_name": 5}, "document_name must be a non-empty string"),
    ],
)
async def test_patch_refusals(sandbox: Sandbox, body: dict[str, Any], error: str) -> None:
    document_id = await create_document(sandbox, tags=["hr"])

    response = await sandbox.client.patch(f"/v2/documents/{document_id}", json=body)

    assert response.status_code == 400
    assert response.json()["error"].startswith(f"Invalid request: {error}")
    assert sandbox.state.documents[document_id].tags == ["hr"]


async def test_delete_stops_processing(start_sandbox: StartSandbox) -> None:
    sandbox = await start_sandbox(document_delay=60)
    document_id = await create_document(sandbox)

    deleted = await sandbox.client.delete(f"/v2/documents/{document_id}")
    fetched = await sandbox.client.get(f"/v2/documents/{document_id}")

    assert deleted.status_code == 204
    assert fetched.status_code == 404
    assert document_id not in sandbox.state.jobs


# Recrawl


async def _ready_site(sandbox: Sandbox, **fields: Any) -> str:
    fields = {"document_url": SITE, "crawl": CRAWL, **fields}
    document_id = (await _create(sandbox, **fields))["document_id"]
    await _settled(sandbox, document_id)
    return document_id


async def test_recrawl_answers_202_then_sends_ready_again(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    document_id = await _ready_site(sandbox, callback_url=receiver.url)
    await receiver.wait_for(3)

    response = await sandbox.client.post(f"/v2/documents/{document_id}/recrawl")
    *_, recrawling, ready = await receiver.wait_for(5)

    assert response.status_code == 202
    assert (response.json()["status"], response.json()["crawl_count"]) == ("recrawling", 1)
    assert recrawling["status"] == "recrawling"
    assert (ready["status"], ready["crawl_count"]) == ("ready", 2)


async def test_a_recrawl_may_crawl_differently_this_time_only(sandbox: Sandbox) -> None:
    document_id = await _ready_site(sandbox)
    override = {"depth": 1, "max_pages": 1}

    response = await sandbox.client.post(
        f"/v2/documents/{document_id}/recrawl", json={"crawl": override}
    )
    ready = await _settled(sandbox, document_id)

    assert response.json()["crawl_config"] == override
    assert ready["crawled_urls"] == [SITE]
    assert ready["crawl_config"] == CRAWL


async def test_a_second_recrawl_within_the_cooldown_is_429(sandbox: Sandbox) -> None:
    document_id = await _ready_site(sandbox)
    await sandbox.client.post(f"/v2/documents/{document_id}/recrawl")
    await _settled(sandbox, document_id)

    response = await sandbox.client.post(f"/v2/documents/{document_id}/recrawl")

    assert response.status_code == 429
    assert response.json() == {
        "error": "Recrawl cooldown: please wait 60 minutes before recrawling this document."
    }


async def test_no_cooldown_when_set_to_zero(start_sandbox: StartSandbox) -> None:
    sandbox = await start_sandbox(recrawl_cooldown=0)
    document_id = await _ready_site(sandbox)
    await sandbox.client.post(f"/v2/documents/{document_id}/recrawl")
    await _settled(sandbox, document_id)

    response = await sandbox.client.post(f"/v2/documents/{document_id}/recrawl")

    assert response.status_code == 202


async def test_recrawl_while_crawling_is_409(start_sandbox: StartSandbox) -> None:
    sandbox = await start_sandbox(document_delay=60)
    document_id = (await _create(sandbox, document_url=SITE, crawl=CRAWL))["document_id"]

    response = await sandbox.client.post(f"/v2/documents/{document_id}/recrawl")

    assert response.status_code == 409
    assert response.json() == {
        "error": "Document must be in 'ready' or 'error' state to recrawl, current status: started"
    }


async def test_a_failed_crawl_may_be_recrawled_and_fail_again(sandbox: Sandbox) -> None:
    document_id = await _ready_site(sandbox, document_url="https://fail.example.com/")

    response = await sandbox.client.post(f"/v2/documents/{document_id}/recrawl")
    settled = await _settled(sandbox, document_id)

    assert response.status_code == 202 and response.json()["error_message"] is None
    assert (settled["status"], settled["error_message"]) == ("error", "website_processing_failed")
    assert settled["crawl_count"] == 0


async def test_recrawl_needs_crawl_settings_and_a_website(sandbox: Sandbox) -> None:
    page = await _ready_site(sandbox, crawl=None)
    document = await create_document(sandbox)
    await _settled(sandbox, document)

    no_settings = await sandbox.client.post(f"/v2/documents/{page}/recrawl")
    given = await sandbox.client.post(f"/v2/documents/{page}/recrawl", json={"crawl": CRAWL})
    file_crawl = await sandbox.client.post(
        f"/v2/documents/{document}/recrawl", json={"crawl": CRAWL}
    )

    assert (no_settings.status_code, no_settings.json()) == (
        400,
        {"error": "Document was not created with crawl configuration"},
    )
    assert given.status_code == 202
    assert file_crawl.json() == {
        "error": "Invalid request: crawl is only supported for website URLs"
    }


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"crawl": {"depth": 0}}, "Invalid request: crawl.depth must be an integer between 1"),
        ({"depth": 2}, "Invalid request: a recrawl takes only crawl"),
        ([], "Request body must be a JSON object"),
    ],
)
async def test_recrawl_refuses_a_bad_body(sandbox: Sandbox, body: Any, error: str) -> None:
    document_id = await _ready_site(sandbox)

    response = await sandbox.client.post(f"/v2/documents/{document_id}/recrawl", json=body)

    assert response.status_code == 400
    assert response.json()["error"].startswith(error)
    assert sandbox.state.documents[document_id].status == "ready"
