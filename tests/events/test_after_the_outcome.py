"""News after a job's outcome is known, for every family that reports by status: stored,
but it changes nothing and posts nothing (a ready video does not turn "failed")."""

from __future__ import annotations

from typing import Any

import pytest

from bot.ingest import interpret
from bot.kinds import KINDS
from storage import Resource
from tests.events.stored import stored

ID = {
    "video": "8a4f94e736",
    "replica": "r90bbd427f71",
    "lipsync": "w1234567890",
    "document": "d8-5c71",
}


def resource(kind: str, status: str, **details: Any) -> Resource:
    return stored(kind, ID[kind], status=status, name="Welcome", details=details, finished=True)


def body(kind: str, status: str, **fields: Any) -> dict[str, Any]:
    return {KINDS[kind].id_key: ID[kind], "status": status, "error_message": "Boom", **fields}


@pytest.mark.parametrize(
    ("kind", "outcome", "news"),
    [
        ("video", "ready", "error"),
        ("video", "error", "ready"),
        ("video", "ready", "generating"),
        ("video", "deleted", "ready"),  # deleted from Slack, then Tavus finished it
        ("replica", "ready", "error"),
        ("replica", "error", "completed"),
        ("replica", "deleted", "ready"),
        ("lipsync", "completed", "error"),
        ("lipsync", "deleted", "completed"),
        ("document", "ready", "error"),
        ("document", "error", "ready"),
        ("document", "deleted", "ready"),
    ],
)
def test_news_after_the_outcome_changes_nothing(kind: str, outcome: str, news: str) -> None:
    known = resource(kind, outcome, settled=0)

    found = interpret(known, body(kind, news, hosted_url="https://x.example/v"))

    assert found.drafts == ()
    assert (found.status, found.details) == (None, {})
    assert found.dedup_key  # stored: a redelivery is a duplicate


def test_a_later_step_still_counts() -> None:
    """A ready video deleted in Tavus moves on: that is news, told."""
    found = interpret(resource("video", "ready"), body("video", "deleted"))

    assert found.status == "deleted" and found.drafts
