"""Starting a document job: what the create answer means for the card."""

from __future__ import annotations

import pytest

from bot.documents import DocumentRequest, _created, tags_from_words
from bot.tavus import Document

REQUEST = DocumentRequest(
    team_id="T1",
    user_id="U1",
    channel_id="C1",
    document_url="https://docs.example.com/",
    name="Docs",
    tags=("docs",),
    crawl={"depth": 2},
)


@pytest.mark.parametrize(
    ("status", "stored"),
    [
        ("started", "started"),
        ("processing", "processing"),
        ("ready", "started"),  # left for an event to report, so the thread hears of it
        ("error", "started"),
        (None, "started"),
        ("brand-new", "started"),
    ],
)
def test_the_create_answer_sets_a_running_status(status: str | None, stored: str) -> None:
    created = _created(
        Document.from_api({"document_id": "d1-0123456789ab", "status": status}), REQUEST
    )

    assert (created.tavus_id, created.status, created.finished) == (
        "d1-0123456789ab",
        stored,
        False,
    )
    assert created.name == "Docs"
    assert created.details == {
        "document_url": "https://docs.example.com/",
        "tags": ["docs"],
        "crawl": {"depth": 2},
    }


def test_tavus_words_win_over_the_request() -> None:
    answer = {
        "uuid": "d1-0123456789ab",
        "document_name": "Named by Tavus",
        "tags": ["web"],
        "crawl_config": {"depth": 1, "max_pages": 5},
    }

    created = _created(Document.from_api(answer), REQUEST)

    assert created.name == "Named by Tavus"
    assert created.details["tags"] == ["web"]
    assert created.details["crawl"] == {"depth": 1, "max_pages": 5}


@pytest.mark.parametrize(
    ("words", "tags", "taken"),
    [
        (("#a", "#b", "Name"), ("a", "b"), 2),
        (("Name", "#a"), (), 0),
        (("#a", "#a"), ("a",), 2),
        (("#", "#a"), (), 0),
        ((), (), 0),
    ],
)
def test_leading_tags(words: tuple[str, ...], tags: tuple[str, ...], taken: int) -> None:
    assert tags_from_words(words) == (tags, taken)
