"""Every modal, button, picker and command, fed hostile values through the real route.

One app (fake Slack, Tavus sandbox) serves the module. It is first crawled
(``tests.fuzz.catalog``): every command, shortcut, Home tab button and form, so that every
listener registered in Bolt is found on a surface; a listener the crawl cannot reach fails
``test_the_crawl_reaches_every_listener`` by name. The properties then send payloads to
what was found, with the typed text, chosen options and button values fuzzed, and check:

- the route answers 2xx (no 5xx), and nothing logs an error (listeners included);
- the answer is an inline error on fields the modal has, a usage message, or a valid
  view or message;
- everything the app sent to the fake Slack meanwhile is Block Kit Slack accepts
  (``FakeSlack.assert_nothing_rejected``) and mrkdwn with the control characters escaped.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

import bot.notifier.pacing
import bot.notifier.worker
from bot.blocks.text import as_text
from bot.domain.nouns import BY_WORD
from bot.grammar import VERBS
from bot.sandbox import SandboxState
from tests.fakes import blockkit
from tests.fakes.signing import USER_ID, new_trigger_id
from tests.fakes.slack import FakeSlack
from tests.fuzz import catalog as crawling
from tests.fuzz import forms
from tests.fuzz.catalog import Catalog, Element, action_payload, ids_in, settle
from tests.fuzz.checks import message_problems, options_problems, view_problems
from tests.fuzz.strategies import HOSTILE, any_text, ids, short_text
from tests.harness import ADMIN_ID, Harness, app_settings, harness, tavus_sandbox

pytestmark = pytest.mark.asyncio(loop_scope="module")

CROWD = 11  # one more than a listing's page: its More button shows
USERS = [ADMIN_ID, USER_ID]
RESPONSE_ACTIONS = ("errors", "update", "push", "clear")


class World:
    """The app the module's properties share (a plain class: hypothesis prints a dataclass
    argument of a failing example field by field, the whole app included)."""

    def __init__(
        self,
        running: Harness,
        catalog: Catalog,
        listeners: dict[str, set[str]],
        known_ids: list[str],  # Tavus ids the app showed during the crawl
    ) -> None:
        self.running, self.catalog, self.listeners = running, catalog, listeners
        self.known_ids = known_ids

    @property
    def slack(self) -> FakeSlack:
        return self.running.slack

    def __repr__(self) -> str:
        return f"World(app at {self.running.url})"


def crowd(state: SandboxState) -> None:
    """More personas and voices than a page lists (copies of the seeded ones), so that the
    listings' More buttons show too."""
    persona = next(iter(state.personas.values()))
    voice = next(iter(state.voices.values()))
    for number in range(CROWD):
        persona_id = f"p{number:04x}00fade"
        state.personas[persona_id] = {
            **persona,
            "persona_id": persona_id,
            "persona_name": f"Crowd {number}",
        }
        state.voices[f"voice{number}"] = {**voice, "voice_name": f"voice{number}"}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    database = Path(tmp_path_factory.mktemp("fuzz")) / "t.db"
    with pytest.MonkeyPatch.context() as patch:
        # As the suite's autouse fixture does per test: no pacing between posts.
        patch.setattr(bot.notifier.pacing, "INTERVAL_SECONDS", 0)
        patch.setattr(bot.notifier.worker, "CARD_UPDATE_SPACING_SECONDS", 0)
        async with FakeSlack() as slack, tavus_sandbox() as sandbox:
            crowd(sandbox.state)
            settings_ = app_settings(slack=slack, tavus_url=sandbox.url, database_path=database)
            async with harness(slack, settings_) as running:
                catalog = await crawling.crawl(running, user_id=ADMIN_ID)
                listeners = crawling.registered(running.app.bolt)
                known = sorted({i for found in ids_in(slack).values() for i in found})
                yield World(running, catalog, listeners, known)


async def test_the_crawl_reaches_every_listener(world: World) -> None:
    assert crawling.uncovered(world.running.app.bolt, world.catalog) == {}
    assert world.listeners.get("view_submission"), "no modal found: the discovery is broken"
    world.slack.assert_nothing_rejected()


# -- modals -----------------------------------------------------------------------------------


@st.composite
def submissions(draw: st.DrawFn, world: World) -> tuple[Mapping[str, Any], dict[str, Any]]:
    """A modal submitted, or (where a listener waits for it) closed, in a hostile state."""
    callback_id = draw(st.sampled_from(sorted(world.listeners["view_submission"])))
    views = world.catalog.views[callback_id]
    view = draw(st.sampled_from(sorted(views.values(), key=lambda v: str(v.get("id")))))
    values = draw(_hostile_values(view, world.known_ids))
    user = draw(st.sampled_from(USERS))
    payload = forms.submission(view, values, user_id=user, trigger_id=new_trigger_id())
    if callback_id in world.listeners.get("view_closed", ()) and draw(st.integers(0, 3)) == 0:
        payload |= {"type": "view_closed", "is_cleared": draw(st.booleans())}
        del payload["trigger_id"]  # Slack sends none with view_closed
    return view, payload


@settings(max_examples=150)
@given(data=st.data())
async def test_a_modal_submission_answers_inline_errors_or_a_valid_view(
    world: World, data: st.DataObject, caplog: pytest.LogCaptureFixture
) -> None:
    view, payload = data.draw(submissions(world), label="view, payload")
    event(f"{payload['type']} {view.get('callback_id')}")
    answer = await _exchange(world, caplog, payload)
    if answer is None:
        return
    action = answer.get("response_action")
    event(f"{view.get('callback_id')}: {action}")
    assert action in RESPONSE_ACTIONS, answer
    if action == "errors":
        _check_errors(view, answer.get("errors"))
    elif action in ("update", "push"):
        assert view_problems(answer.get("view")) == []


def _check_errors(view: Mapping[str, Any], errors: Any) -> None:
    """Slack shows an error under an input block of the modal; any other key is refused."""
    assert isinstance(errors, Mapping) and errors, errors
    inputs = {b.get("block_id") for b in view.get("blocks") or () if b.get("type") == "input"}
    assert set(errors) <= inputs, f"errors for blocks the modal lacks: {set(errors) - inputs}"
    for message in errors.values():
        assert isinstance(message, str) and message.strip(), errors
        assert len(message) <= blockkit.TEXT_MAX, message[:200]


async def test_an_unpaired_surrogate_typed_in_any_modal_is_no_error(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """Found by the property: "\\ud800" typed in the Add document form reached httpx,
    which cannot encode it (fixed once for every listener, in ``handlers.guards``)."""
    for callback_id in sorted(world.listeners["view_submission"]):
        view = list(world.catalog.views[callback_id].values())[-1]
        values = forms.state_values(view, _typed_everywhere("https://example.com/a\ud800.pdf"))
        payload = forms.submission(view, values, user_id=ADMIN_ID, trigger_id=new_trigger_id())
        await _exchange(world, caplog, payload)


def _typed_everywhere(text: str) -> forms.Chooser:
    def choose(block_id: str, action_id: str, element: forms.Element) -> dict[str, Any]:
        if element["type"] in forms.TEXT_INPUTS:
            return {"value": text}
        if element["type"] in forms.SINGLE_MENUS:
            offered = forms.options_of(element)
            return {"selected_option": element.get("initial_option") or (offered or [None])[0]}
        if element["type"] in forms.MULTI_MENUS:
            return {"selected_options": []}
        key, sample = forms.PICKERS[element["type"]]
        return {key: sample}

    return choose


# -- buttons ----------------------------------------------------------------------------------


def _action_values(world: World, found: Element) -> st.SearchStrategy[str]:
    real = crawling.value_of(found.element)
    # A value the app wrote, cut or stretched; one it wrote for another element; junk.
    others = sorted(
        {crawling.value_of(e.element) for es in world.catalog.elements.values() for e in es}
    )
    return st.one_of(
        st.just(real),
        st.sampled_from(others),
        st.builds(lambda cut: real[:cut], st.integers(0, max(0, len(real) - 1))),
        st.builds(lambda extra: real + extra, short_text),
        any_text,
        ids,
        st.sampled_from(world.known_ids) if world.known_ids else ids,
        st.builds(json.dumps, st.dictionaries(st.text(max_size=8), any_text, max_size=3)),
    )


@st.composite
def clicks(draw: st.DrawFn, world: World) -> tuple[Element, dict[str, Any]]:
    action_id = draw(st.sampled_from(sorted(world.listeners["block_actions"])))
    found = draw(st.sampled_from(world.catalog.elements[action_id]))
    value = draw(_action_values(world, found))
    user = draw(st.sampled_from(USERS))
    state = None
    if found.surface.view is not None:  # a click in a modal sends what was typed in it
        state = draw(_hostile_values(found.surface.view, world.known_ids))
    url = world.slack.response_url
    return found, action_payload(found, user, value=value, response_url=url, state=state)


@st.composite
def _hostile_values(
    draw: st.DrawFn, view: Mapping[str, Any], known_ids: list[str]
) -> dict[str, dict[str, Any]]:
    chosen = {
        (block_id, action_id): draw(forms.hostile_state(element, known_ids))
        for block_id, action_id, element in forms.inputs(view)
    }
    return forms.state_values(view, lambda b, a, _: chosen[(b, a)])


@settings(max_examples=150)
@given(data=st.data())
async def test_a_click_with_any_value_is_answered_without_an_error(
    world: World, data: st.DataObject, caplog: pytest.LogCaptureFixture
) -> None:
    found, payload = data.draw(clicks(world), label="element, payload")
    event(f"clicked {found.action_id}")
    answer = await _exchange(world, caplog, payload)
    if answer is not None and "response_action" in answer:
        assert answer["response_action"] in RESPONSE_ACTIONS, answer


@pytest.mark.parametrize("value", ["c1234567\x01", "c12\x7f34", "c1234\u2028"])
async def test_an_end_button_with_a_control_character_is_no_error(
    world: World, value: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Found by the property: the id reached httpx, which refuses it in a URL with its own
    error (``path_param`` now refuses control characters as it refuses '/')."""
    (found, *_) = world.catalog.elements["conversation_end"]
    url = world.slack.response_url
    await _exchange(world, caplog, action_payload(found, ADMIN_ID, value=value, response_url=url))


# -- pickers ----------------------------------------------------------------------------------


@settings(max_examples=150)
@given(data=st.data(), typed=st.one_of(any_text, ids, st.sampled_from(HOSTILE), st.just("")))
async def test_a_picker_answers_valid_options_whatever_is_typed(
    world: World, data: st.DataObject, typed: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Every options listener, shown in a modal or not (a registered picker no modal uses
    yet still answers whoever calls it)."""
    action_id = data.draw(st.sampled_from(sorted(world.listeners["block_suggestion"])))
    shown = world.catalog.elements.get(action_id) or []
    found = data.draw(st.sampled_from(shown)) if shown else None
    view = found.surface.view if found is not None else None
    block_id = found.block_id if found is not None else "picker"
    user = data.draw(st.sampled_from(USERS))
    payload = forms.suggestion(view, block_id, action_id, typed[:2000], user_id=user)
    answer = await _exchange(world, caplog, payload)
    assert answer is not None, "a picker must answer with options"
    event(f"{action_id}: {len(answer.get('options') or answer.get('option_groups') or [])}")
    assert options_problems(answer) == []


# -- commands ---------------------------------------------------------------------------------


# Every command shape the crawl uses, with hostile words after it; and loose words.
SHAPES = sorted(
    {*crawling.command_texts({}), *(f"{word} {verb}" for word in BY_WORD for verb in VERBS)}
)
commands = st.one_of(
    st.tuples(
        st.sampled_from(SHAPES),
        st.sampled_from(["", "--audio", "--hard", "--test", "--nope"]),
        st.lists(st.one_of(ids, short_text), max_size=3).map(" ".join),
        any_text,
    ).map(" ".join),
    st.lists(st.one_of(st.sampled_from(HOSTILE), ids, short_text), max_size=5).map(" ".join),
)


@settings(max_examples=150)
@given(text=commands, user=st.sampled_from(USERS))
# Found by the mrkdwn check (`<url>`, `<video_url>`: bare placeholders are Slack markup).
@example(text="document add notalink", user=ADMIN_ID)
@example(text="lipsync notalink https://example.com/a.mp3", user=ADMIN_ID)
async def test_any_command_text_is_answered_without_an_error(
    world: World, text: str, user: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.clear()
    before = len(world.slack.calls), len(world.slack.responses)
    # A form-encoded body is UTF-8: a lone surrogate cannot be typed into one.
    typed = as_text(text[:4000])
    response = await world.running.command(typed, user_id=user, trigger_id=new_trigger_id())
    await _after(world, caplog, response, before)
    if response.text:
        answer = response.json()
        assert message_problems(answer.get("text", ""), answer.get("blocks")) == []


# -- the exchange -----------------------------------------------------------------------------


async def _exchange(
    world: World, caplog: pytest.LogCaptureFixture, payload: dict[str, Any]
) -> dict[str, Any] | None:
    """Send ``payload`` as Slack would; the ack's JSON body (None when empty)."""
    caplog.clear()
    before = len(world.slack.calls), len(world.slack.responses)
    response = await world.running.interact(payload)
    await _after(world, caplog, response, before)
    if not response.text:
        return None
    answer = response.json()
    assert isinstance(answer, dict), answer
    return answer


async def _after(
    world: World,
    caplog: pytest.LogCaptureFixture,
    response: httpx.Response,
    before: tuple[int, int],
) -> None:
    assert response.status_code < 500, response.text
    await settle()
    errors = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], errors
    world.slack.assert_nothing_rejected()
    calls, responses = before
    sent = [_sent(call.method, call.args) for call in world.slack.calls[calls:]]
    sent += [
        message_problems(r.get("text", ""), r.get("blocks"))
        for r in world.slack.responses[responses:]
    ]
    problems = [problem for found in sent for problem in found]
    assert problems == [], problems


def _sent(method: str, args: Mapping[str, Any]) -> list[str]:
    """mrkdwn problems in what the app sent to Slack (its Block Kit the fake checked)."""
    if method in blockkit.VIEW_METHODS:
        return [f"{method}: {p}" for p in view_problems(args.get("view"))]
    if method in blockkit.MESSAGE_METHODS:
        limit = (
            blockkit.UPDATE_TEXT_MAX
            if method == "chat.update"
            else blockkit.MESSAGE_TEXT_TRUNCATED_AT
        )
        found = message_problems(args.get("text", ""), args.get("blocks"), text_max=limit)
        return [f"{method}: {p}" for p in found]
    return []
