"""Every kind's callback interpreter, fed whatever Tavus (or someone with a token) could send.

Each body either names another resource (``MalformedEvent``: the route answers 400) or
becomes an ``Interpretation`` whose posts Slack accepts, with every mrkdwn control sequence
from the body escaped; the card re-rendered after the event is valid too.

The bodies (``tests.fuzz.callbacks``) follow what each interpreter reads, so a new kind,
status or event type is fuzzed without a change here.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import event, given, settings, target
from hypothesis import strategies as st

from bot.events import Interpretation, MalformedEvent
from bot.ingest import UNREADABLE, interpret
from bot.kinds import KINDS, ResourceKind
from storage import Resource
from tests.fakes import blockkit
from tests.fuzz.callbacks import cases, dispatch
from tests.fuzz.checks import draft_problems, merge_patch, message_problems


@pytest.mark.parametrize("kind_name", sorted(KINDS))
@given(data=st.data())
def test_an_interpreter_never_raises_and_its_posts_are_valid(
    kind_name: str, data: st.DataObject, caplog: pytest.LogCaptureFixture
) -> None:
    kind = KINDS[kind_name]
    resource, body = data.draw(cases(kind), label="resource, body")
    found = _interpret(kind, resource, body, caplog)
    if found is not None:
        target(float(len(found.drafts)), label="drafts")  # steer towards bodies that post


BRANCHES = [(name, word) for name, kind in sorted(KINDS.items()) for word in dispatch(kind)[1]]


@pytest.mark.parametrize(("kind_name", "word"), BRANCHES)
@settings(max_examples=15)
@given(data=st.data())
def test_each_branch_of_an_interpreter_takes_hostile_bodies(
    kind_name: str, word: str, data: st.DataObject, caplog: pytest.LogCaptureFixture
) -> None:
    """Every status and event type a kind knows, with the rest of the body fuzzed (a random
    draw would mostly reach the "unknown" branch)."""
    kind = KINDS[kind_name]
    resource, body = data.draw(cases(kind), label="resource, body")
    body[dispatch(kind)[0]] = word
    _interpret(kind, resource, body, caplog)


def _interpret(
    kind: ResourceKind,
    resource: Resource,
    body: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> Interpretation | None:
    caplog.clear()
    try:
        found = kind.interpret(resource, body)
    except MalformedEvent:
        return None
    event(f"{found.event_type} ({len(found.drafts)} drafts)")  # what was reached, in the stats
    _check(kind, resource, found)
    # Through ingest's own entry as well: identity checked first, no failure logged.
    try:
        through_ingest = interpret(resource, body)
    except MalformedEvent:
        return found
    assert through_ingest.event_type != UNREADABLE
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    return found


def _check(kind: ResourceKind, resource: Resource, found: Interpretation) -> None:
    assert isinstance(found, Interpretation)
    assert isinstance(found.dedup_key, str) and found.dedup_key
    assert isinstance(found.event_type, str) and found.event_type
    assert found.status is None or isinstance(found.status, str)
    problems = [problem for draft in found.drafts for problem in draft_problems(draft)]
    assert problems == [], problems
    _check_card(kind, resource, found)


def _check_card(kind: ResourceKind, resource: Resource, found: Interpretation) -> None:
    """The card the notifier re-renders after this event (chat.update: text under 4,000)."""
    status = resource.status
    if found.status is not None and status not in kind.lifecycle.not_after(found.status):
        status = found.status
    after = replace(resource, status=status, details=merge_patch(resource.details, found.details))
    text, blocks = kind.render_card(after)
    problems = message_problems(text, blocks, text_max=blockkit.UPDATE_TEXT_MAX)
    assert problems == [], problems


def test_a_failed_document_says_how_to_add_it_again_escaped() -> None:
    """Found by the branch property: the reply's `/tavus document add <url>` was a bare
    `<url>`, a Slack control sequence, and the placeholder vanished."""
    kind = KINDS["document"]
    resource = Resource(
        id=1,
        kind=kind.name,
        tavus_id=kind.noun.id_example,
        team_id="T0001",
        owner_user_id="U0123ABCD",
        channel_id="C0123",
        message_ts="1700000000.000100",
        callback_token="t" * 43,
        status=None,
        name="Handbook",
        details={},
        finished=False,
        created_at=0.0,
        updated_at=0.0,
    )
    body = {kind.id_key: kind.noun.id_example, "status": "error"}
    found = kind.interpret(resource, body)
    assert found.drafts and "&lt;url&gt;" in str(found.drafts[0].payload)
    _check(kind, resource, found)
