from __future__ import annotations

from typing import Any

import pytest

from bot.blocks.home import RECENT_LIMIT, START_ACTION, home_view
from storage import Resource
from tests.blocks.hostile import HUGE_URL, LONG, TEXTS, URLS
from tests.fakes.blockkit import assert_valid_view


def resource(n: int = 1, **fields: Any) -> Resource:
    values: dict[str, Any] = {
        "id": n,
        "kind": "conversation",
        "tavus_id": f"c{n:09d}",
        "team_id": "T1",
        "owner_user_id": "U1X",
        "channel_id": "C0123",
        "message_ts": None,
        "callback_token": None,
        "status": "active",
        "name": f"Call {n}",
        "details": {"conversation_url": f"https://x.test/c{n}"},
        "finished": False,
        "created_at": 0.0,
        "updated_at": 0.0,
    }
    values.update(fields)
    return Resource(**values)


def recent_text(view: dict[str, Any]) -> str:
    return "\n".join(block["text"]["text"] for block in view["blocks"][4:])


def test_home_has_a_start_button_and_the_recent_calls() -> None:
    view = home_view(user_id="U1X", recent=[resource(1), resource(2, status="ended")])

    assert_valid_view(view)
    assert view["blocks"][1]["accessory"]["action_id"] == START_ACTION
    lines = recent_text(view).splitlines()
    assert lines[0] == "`c000000001` *Call 1* · active · <https://x.test/c1|join> · in <#C0123>"
    assert lines[1] == "`c000000002` *Call 2* · ended · in <#C0123>"


def test_home_without_calls_says_so() -> None:
    view = home_view(user_id="U1X", recent=[])

    assert_valid_view(view)
    assert "Nothing yet" in recent_text(view)


def test_home_shows_at_most_the_recent_limit() -> None:
    view = home_view(user_id="U1X", recent=[resource(n) for n in range(RECENT_LIMIT + 5)])

    assert len(recent_text(view).splitlines()) == RECENT_LIMIT


# -- hostile input ---------------------------------------------------------------------------


def hostile(n: int, value: object) -> Resource:
    return resource(
        n,
        tavus_id=value,
        name=value,
        status=value,
        channel_id=value,
        details={"conversation_url": value},
    )


@pytest.mark.parametrize("value", TEXTS, ids=range(len(TEXTS)))
def test_home_is_valid_whatever_tavus_or_users_send(value: object) -> None:
    assert_valid_view(home_view(user_id="U1X", recent=[hostile(n, value) for n in range(10)]))


@pytest.mark.parametrize("url", URLS, ids=range(len(URLS)))
def test_home_is_valid_whatever_the_url(url: object) -> None:
    view = home_view(user_id="U1X", recent=[resource(details={"conversation_url": url})])

    assert_valid_view(view)
    assert "`c000000001` *Call 1* · active" in recent_text(view)


def test_long_names_and_urls_leave_every_recent_call_in_view() -> None:
    recent = [resource(n, name=LONG, details={"conversation_url": HUGE_URL}) for n in range(10)]

    view = home_view(user_id="U1X", recent=recent)

    assert_valid_view(view)
    shown = recent_text(view)
    assert all(f"`c{n:09d}` *xxx" in shown for n in range(10))
    assert "join" not in shown


def test_home_escapes_names_and_ignores_strange_channels() -> None:
    view = home_view(
        user_id="U1X",
        recent=[resource(name="<https://evil|click> & co", channel_id="C1> <!channel")],
    )
    shown = recent_text(view)

    assert "*&lt;https://evil|click&gt; &amp; co*" in shown
    assert "<!channel" not in shown
    assert "in <#" not in shown
