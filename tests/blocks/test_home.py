from __future__ import annotations

import json
from typing import Any

import pytest

from bot.blocks import home as blocks
from bot.blocks.home import SHELF_LIMIT, SHELVES, HomeContent, TeamView, home_view
from storage import Resource
from tests.blocks.hostile import HUGE_URL, LONG, TEXTS, URLS
from tests.fakes.blockkit import assert_valid_view

# Each kind's id shape: a video's is hex.
IDS = {"conversation": "c", "video": "a", "replica": "r", "document": "d"}
FIRST_STATUS = {
    "conversation": "live",
    "video": "ready",
    "replica": "training",
    "document": "ready",
}


def resource(kind: str = "conversation", n: int = 1, **fields: Any) -> Resource:
    values: dict[str, Any] = {
        "id": n,
        "kind": kind,
        "tavus_id": f"{IDS[kind]}{n:09d}",
        "team_id": "T1",
        "owner_user_id": "U1X",
        "channel_id": "C0123",
        "message_ts": None,
        "callback_token": None,
        "status": FIRST_STATUS[kind],
        "name": f"{kind.title()} {n}",
        "details": {"conversation_url": f"https://x.test/c{n}"},
        "finished": False,
        "created_at": 0.0,
        "updated_at": 0.0,
    }
    values.update(fields)
    return Resource(**values)


def content(*items: Resource, **fields: Any) -> HomeContent:
    shelves = [[r for r in items if r.kind == shelf.kind] for shelf in SHELVES]
    fields.setdefault("has_history", bool(items))
    return HomeContent(user_id="U1X", shelves=shelves, **fields)


def action_ids(view: dict[str, Any]) -> list[str]:
    return [
        element["action_id"]
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def test_a_newcomer_gets_the_start_buttons_and_getting_started() -> None:
    view = home_view(content())

    assert_valid_view(view)
    assert action_ids(view) == [
        blocks.START_ACTION,
        blocks.VIDEO_ACTION,
        blocks.TRAIN_ACTION,
        blocks.DOCUMENT_ACTION,
        blocks.DEFAULTS_ACTION,
    ]
    assert "Getting started" in json.dumps(view)


def test_each_shelf_lists_its_items_with_their_buttons() -> None:
    items = [resource(kind) for kind in IDS]

    view = home_view(content(*items))

    assert_valid_view(view)
    shown = json.dumps(view)
    assert "Getting started" not in shown
    for shelf in SHELVES:
        assert shelf.title in shown
    assert action_ids(view)[5:] == [
        "conversation_join",
        blocks.END_ACTION,
        blocks.DELETE_ACTION,  # video
        blocks.DELETE_ACTION,  # replica
        blocks.DELETE_ACTION,  # document
    ]
    assert "<https://x.test/c1|" not in shown  # the join link is a button, not text
    assert "in <#C0123>" in shown


def test_an_empty_shelf_is_left_out() -> None:
    view = home_view(content(resource("video")))

    shown = json.dumps(view)
    assert "Your recent videos" in shown
    assert "Your live conversations" not in shown


def test_a_shelf_shows_at_most_its_limit() -> None:
    videos = [resource("video", n) for n in range(SHELF_LIMIT + 5)]

    view = home_view(content(*videos))

    assert action_ids(view).count(blocks.DELETE_ACTION) == SHELF_LIMIT


def test_the_notice_leads_the_tab() -> None:
    view = home_view(content(notice=":stop_sign: Ending `c1`."))

    assert view["blocks"][1]["elements"][0]["text"] == ":stop_sign: Ending `c1`."


def test_admins_see_the_team_with_owners_and_counts() -> None:
    call = resource(owner_user_id="U2OTHER")
    team = TeamView(live_calls=[call], running={"conversation": 1, "video": 2, "bogus": 4})

    view = home_view(content(team=team))

    assert_valid_view(view)
    shown = json.dumps(view)
    assert "Your team" in shown and "<@U2OTHER>" in shown and "`c000000001`" in shown
    assert "1 conversation, 2 videos" in shown and "bogus" not in shown


def test_without_team_there_is_no_team_part() -> None:
    assert "Your team" not in json.dumps(home_view(content(resource())))


# -- hostile input ---------------------------------------------------------------------------


def hostile(kind: str, n: int, value: object) -> Resource:
    return resource(
        kind,
        n,
        tavus_id=value,
        name=value,
        status=value,
        channel_id=value,
        owner_user_id=value,
        details={"conversation_url": value, "progress": value, "error": value, "hosted_url": value},
    )


@pytest.mark.parametrize("value", TEXTS, ids=range(len(TEXTS)))
def test_the_tab_is_valid_whatever_tavus_or_users_send(value: object) -> None:
    items = [hostile(kind, n, value) for kind in IDS for n in range(SHELF_LIMIT)]
    team = TeamView(live_calls=[hostile("conversation", n, value) for n in range(20)], running={})

    view = home_view(content(*items, team=team))

    assert_valid_view(view)
    assert "<!channel>" not in json.dumps(view)


@pytest.mark.parametrize("url", URLS, ids=range(len(URLS)))
def test_the_tab_is_valid_whatever_the_url(url: object) -> None:
    view = home_view(content(resource(details={"conversation_url": url})))

    assert_valid_view(view)
    assert "`c000000001`" in json.dumps(view)


def test_long_names_and_urls_leave_every_item_in_view() -> None:
    items = [
        resource(kind, n, name=LONG, details={"conversation_url": HUGE_URL, "hosted_url": HUGE_URL})
        for kind in IDS
        for n in range(SHELF_LIMIT)
    ]

    view = home_view(content(*items))

    assert_valid_view(view)
    shown = json.dumps(view)
    assert all(f"`{IDS[kind]}{n:09d}`" in shown for kind in IDS for n in range(SHELF_LIMIT))
    assert "conversation_join" not in action_ids(view)  # no button can carry that URL


def test_names_are_escaped_and_strange_channels_ignored() -> None:
    item = resource(name="<https://evil|click> & co", channel_id="C1> <!channel")

    shown = json.dumps(home_view(content(item)))

    assert "*&lt;https://evil|click&gt; &amp; co*" in shown
    assert "<!channel" not in shown
    assert "in <#" not in shown
