"""What the app listens for, and where each of those things can be found in Slack.

``registered`` reads the Bolt app's listeners: every view_submission callback id, block
action id, options (block_suggestion) action id, shortcut and event it answers. ``crawl``
then uses the app as a person would (every `/tavus` command the grammar knows, the Home tab,
every shortcut, every button it finds on the way) and keeps each message and view the app
put in front of the user. The fuzzing properties send their payloads to the elements found
there, so a modal or button added tomorrow is fuzzed without a change to the tests, and
``uncovered`` names any listener the crawl could not reach.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.domain.nouns import NOUNS
from bot.grammar import ACTIONS, VERBS, VERBS_WITH_ID
from tests.fakes.signing import (
    API_APP_ID,
    CHANNEL_ID,
    TEAM_ID,
    block_action_payload,
    new_trigger_id,
)
from tests.fakes.slack import FakeSlack
from tests.fuzz import forms
from tests.harness import Harness

# Listeners Bolt registers per kind of payload, by the name of Bolt's matcher function.
KINDS_OF_LISTENER = {
    "view_submission": "view_submission",
    "view_closed": "view_closed",
    "action": "block_actions",
    "block_action": "block_actions",
    "options": "block_suggestion",
    "block_suggestion": "block_suggestion",
    "global_shortcut": "shortcut",
    "message_shortcut": "message_action",
    "command": "command",
    "event": "event",
}
SETTLE_SECONDS = 10.0


@dataclass(frozen=True)
class Surface:
    """Where an element was shown: a message (channel and ts) or a view Slack holds."""

    blocks: tuple[Any, ...]
    channel: str | None = None
    ts: str | None = None
    view: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Element:
    surface: Surface
    block_id: str
    element: Mapping[str, Any]

    @property
    def action_id(self) -> str:
        return str(self.element.get("action_id"))


@dataclass
class Catalog:
    """Everything the crawl saw, by the id a listener matches on."""

    elements: dict[str, list[Element]] = field(default_factory=dict)
    views: dict[str, dict[str, Mapping[str, Any]]] = field(default_factory=dict)  # by view id

    def add_blocks(self, surface: Surface) -> None:
        for block_id, element in _elements(surface.blocks):
            found = Element(surface, block_id, element)
            known = self.elements.setdefault(found.action_id, [])
            if found not in known:
                known.append(found)

    def add_view(self, view: Mapping[str, Any]) -> None:
        callback_id = view.get("callback_id")
        if isinstance(callback_id, str) and callback_id:
            self.views.setdefault(callback_id, {})[str(view.get("id"))] = view
        self.add_blocks(Surface(tuple(view.get("blocks") or ()), view=view))


def registered(app: AsyncApp) -> dict[str, set[str]]:
    """{payload type: the ids (callback, action, command, event type) a listener matches}.

    A regular expression is kept as ``pattern:...`` (no crawl finds that id, so it shows as
    uncovered), and a listener none of whose matchers can be read as ``unreadable``: a new
    way of registering is then named by the coverage test, not silently skipped."""
    found: dict[str, set[str]] = {}
    for listener in app._async_listeners:  # Bolt keeps no public list of its listeners
        read = [_constraint(matcher) for matcher in listener.matchers]
        for kind, constraint in read:
            if kind is not None and isinstance(constraint, re.Pattern):
                constraint = f"pattern:{constraint.pattern}"
            if kind is not None and isinstance(constraint, str):
                found.setdefault(kind, set()).add(constraint)
        if not any(kind is not None for kind, _ in read):
            name = getattr(listener.ack_function, "__qualname__", repr(listener.ack_function))
            found.setdefault("unreadable", set()).add(name)
    return found


def _constraint(matcher: Any) -> tuple[str | None, object]:
    """Bolt builds each matcher as a closure over its constraint: read it back out."""
    outer = getattr(matcher, "func", None)
    inner = _cells(outer).get("func")
    if inner is None:
        return None, None
    kind = KINDS_OF_LISTENER.get(inner.__qualname__.split(".", 1)[0])
    cells = _cells(inner)
    for name in ("callback_id", "constraints", "command", "event_type", "action_id"):
        value = cells.get(name)
        if isinstance(value, Mapping):
            value = value.get("action_id") or value.get("callback_id") or value.get("type")
        if value is not None:
            return kind, value
    return kind, None


def _cells(function: Any) -> dict[str, Any]:
    code, closure = getattr(function, "__code__", None), getattr(function, "__closure__", None)
    if code is None or not closure:
        return {}
    return {name: cell.cell_contents for name, cell in zip(code.co_freevars, closure, strict=True)}


def uncovered(app: AsyncApp, catalog: Catalog) -> dict[str, list[str]]:
    """The listeners whose view or element the crawl never saw: no property fuzzes them.
    (Options listeners need no element: their payload is fuzzed whether a view shows one.)"""
    listeners = registered(app)
    missing = {
        "view_submission": listeners.get("view_submission", set()) - set(catalog.views),
        "view_closed": listeners.get("view_closed", set()) - set(catalog.views),
        "block_actions": listeners.get("block_actions", set()) - set(catalog.elements),
        "block_suggestion": {
            i for i in listeners.get("block_suggestion", set()) if i.startswith("pattern:")
        },
        "unreadable": listeners.get("unreadable", set()),
    }
    return {kind: sorted(ids) for kind, ids in missing.items() if ids}


# -- the crawl --------------------------------------------------------------------------------


def command_texts(seen: dict[str, list[str]]) -> Iterator[str]:
    """Every command shape the grammar knows, acting on ids the crawl has seen so far;
    ``end`` and ``delete`` last (they only ask first, but a call that ended shows less)."""
    yield "help"
    yield from (action for action in ACTIONS if action != "end")
    for noun in NOUNS:
        yield noun.plural
        yield from (f"{noun.kind} {verb}" for verb in VERBS if verb not in VERBS_WITH_ID)
    # Jobs, on the first persona and replica listed: their cards carry buttons too.
    for persona in seen.get("persona", [])[:1]:
        yield f"call {persona} Crawling the app"
    for replica in seen.get("replica", [])[:1]:
        yield f"video {replica} Hello from the crawl"
    yield "document add https://example.com/notes.xyz"  # an unusual file type: a warning
    for noun in NOUNS:
        for tavus_id in seen.get(noun.kind, [])[:1]:
            for verb in sorted(VERBS_WITH_ID - {"delete", "end"}):
                yield f"{noun.kind} {verb} {tavus_id}"
    for noun in NOUNS:
        for tavus_id in seen.get(noun.kind, [])[:1]:
            yield f"{noun.kind} delete {tavus_id}"


async def crawl(running: Harness, *, user_id: str) -> Catalog:
    """Use the app as ``user_id`` would, and keep what it showed."""
    catalog = Catalog()
    done: set[str] = set()
    for _ in range(2):  # the second pass acts on the ids the first one's listings showed
        for text in command_texts(ids_in(running.slack)):
            if text not in done:
                done.add(text)
                response = await running.command(text, user_id=user_id, channel_id=CHANNEL_ID)
                await settle()
                _add_answer(catalog, response.text)
    for kind, callback_id in _shortcuts(running):
        await running.interact(shortcut_payload(kind, callback_id, user_id))
        await settle()
    # The Home tab last: it lists what the commands started.
    await running.event({"type": "app_home_opened", "user": user_id, "tab": "home"})
    await settle()
    await _click_everything(running, catalog, user_id)
    await _submit_every_form(running, catalog, user_id)
    # Again, now that the calls started have had time to go live.
    await running.event({"type": "app_home_opened", "user": user_id, "tab": "home"})
    await settle()
    await _click_everything(running, catalog, user_id)
    return catalog


async def _click_everything(running: Harness, catalog: Catalog, user_id: str) -> None:
    """Every button the app has shown, once per action id; new surfaces are clicked too."""
    clicked: set[str] = set()
    for _ in range(3):
        _gather(running.slack, catalog)
        fresh = [
            found
            for action_id, elements in sorted(catalog.elements.items())
            if action_id not in clicked
            for found in elements[:1]
            if found.element.get("type") in ("button", "overflow")
        ]
        # Destructive buttons last: a deletion must not hide what another button opens.
        fresh.sort(key=lambda found: found.element.get("style") == "danger")
        for found in fresh:
            clicked.add(found.action_id)
            payload = action_payload(
                found,
                user_id,
                value=value_of(found.element),
                response_url=running.slack.response_url,
            )
            await running.interact(payload)
            await settle()
    _gather(running.slack, catalog)


async def _submit_every_form(running: Harness, catalog: Catalog, user_id: str) -> None:
    """Each modal submitted once, filled as a person would: the views it leads to (a
    review step, say) are forms to reach too."""
    submitted: set[str] = set()
    for _ in range(3):
        _gather(running.slack, catalog)
        for callback_id, views in sorted(catalog.views.items()):
            if callback_id in submitted:
                continue
            submitted.add(callback_id)
            view = list(views.values())[-1]
            values = forms.state_values(view, await _sensible(running, view, user_id))
            payload = forms.submission(view, values, user_id=user_id, trigger_id=new_trigger_id())
            response = await running.interact(payload)
            await settle()
            add_answered_view(catalog, view, response.text)


def add_answered_view(catalog: Catalog, submitted: Mapping[str, Any], text: str) -> None:
    """A submission answered with ``update`` (the same view id) or ``push`` (a new one)."""
    try:
        answer = json.loads(text) if text else None
    except ValueError:
        return
    if not isinstance(answer, Mapping) or not isinstance(answer.get("view"), Mapping):
        return
    if answer.get("response_action") == "update":
        catalog.add_view({**answer["view"], "id": submitted.get("id")})
    elif answer.get("response_action") == "push":
        catalog.add_view({**answer["view"], "id": "V99999999"})


async def _sensible(running: Harness, view: Mapping[str, Any], user_id: str) -> forms.Chooser:
    """A chooser with what a person would enter: the initial value, a link where a link is
    asked for, the first option a picker offers."""
    first: dict[str, str | None] = {}
    for block_id, action_id, element in forms.inputs(view):
        if element["type"] in ("external_select", "multi_external_select"):
            payload = forms.suggestion(view, block_id, action_id, "", user_id=user_id)
            answer = (await running.interact(payload)).json()
            offered = answer.get("options") or [
                o for group in answer.get("option_groups") or [] for o in group["options"]
            ]
            first[action_id] = offered[0]["value"] if offered else None

    optional = {
        block.get("block_id") for block in view.get("blocks") or () if block.get("optional")
    }

    def choose(block_id: str, action_id: str, element: forms.Element) -> dict[str, Any]:
        kind = element["type"]
        if kind in forms.TEXT_INPUTS:
            left_empty = block_id in optional and not element.get("initial_value")
            return {"value": None if left_empty else _sensible_text(block_id, action_id, element)}
        if kind in ("external_select", "multi_external_select"):
            picked = first.get(action_id)
            chosen = element.get("initial_option") or (picked and forms.option(picked))
            if kind == "multi_external_select":
                return {"selected_options": element.get("initial_options") or []}
            return {"selected_option": chosen or None}
        offered = forms.options_of(element)
        if kind in forms.SINGLE_MENUS:
            return {"selected_option": element.get("initial_option") or offered[0]}
        if kind in forms.MULTI_MENUS:
            return {"selected_options": element.get("initial_options") or []}
        key, sample = forms.PICKERS[kind]
        return {key: sample}

    return choose


def _sensible_text(block_id: str, action_id: str, element: forms.Element) -> str | None:
    if element.get("initial_value"):
        return str(element["initial_value"])
    if element["type"] == "number_input":
        return str(element.get("min_value") or 1)
    if "url" in f"{block_id} {action_id}":
        return "https://example.com/notes.pdf"
    return "Crawl"


def _shortcuts(running: Harness) -> list[tuple[str, str]]:
    listeners = registered(running.app.bolt)
    return [
        (kind, callback_id)
        for kind in ("shortcut", "message_action")
        for callback_id in sorted(listeners.get(kind, set()))
    ]


def _gather(slack: FakeSlack, catalog: Catalog) -> None:
    """Messages in channels, ephemerals, response_url posts and the views Slack holds."""
    for message in slack.messages():
        catalog.add_blocks(
            Surface(tuple(message["blocks"] or ()), channel=message["channel"], ts=message["ts"])
        )
    for call in slack.calls_to("chat.postEphemeral"):
        catalog.add_blocks(Surface(tuple(call.args.get("blocks") or ()), channel=CHANNEL_ID))
    for response in slack.responses:
        catalog.add_blocks(Surface(tuple(response.get("blocks") or ()), channel=CHANNEL_ID))
    for view in held_views(slack).values():
        catalog.add_view(view)


def _add_answer(catalog: Catalog, text: str) -> None:
    """A command's immediate answer (its ack) can carry blocks too."""
    try:
        answer = json.loads(text) if text else None
    except ValueError:
        return
    if isinstance(answer, Mapping):
        catalog.add_blocks(Surface(tuple(answer.get("blocks") or ()), channel=CHANNEL_ID))


def held_views(slack: FakeSlack) -> dict[str, Mapping[str, Any]]:
    """The views Slack holds now, by view id: what an interaction payload carries. The fake
    keeps them privately; a payload needs their real ids for views.update to succeed."""
    return dict(slack._views)


def ids_in(slack: FakeSlack) -> dict[str, list[str]]:
    """Tavus ids shown anywhere in what the app sent, by kind (first seen first)."""
    text = json.dumps([call.args for call in slack.calls]) + json.dumps(slack.responses)
    words = re.findall(r"[A-Za-z0-9_-]{4,64}", text)
    found: dict[str, list[str]] = {}
    for noun in NOUNS:
        for word in words:
            if noun.is_id(word) and word not in found.setdefault(noun.kind, []):
                found[noun.kind].append(word)
    return found


def _elements(blocks: Any) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for block in blocks if isinstance(blocks, list | tuple) else ():
        if not isinstance(block, Mapping):
            continue
        block_id = str(block.get("block_id") or "b")
        candidates = [*(block.get("elements") or []), block.get("accessory"), block.get("element")]
        for element in candidates:
            if isinstance(element, Mapping) and isinstance(element.get("action_id"), str):
                yield block_id, element


# -- payloads ---------------------------------------------------------------------------------


def value_of(element: Mapping[str, Any]) -> str:
    """The value a click on ``element`` sends: a button's, or an overflow's first option's."""
    if isinstance(element.get("value"), str):
        return element["value"]
    options = element.get("options") or []
    return str(options[0].get("value", "")) if options else ""


def action_payload(
    found: Element,
    user_id: str,
    *,
    value: str,
    response_url: str,
    state: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A click on ``found``, with ``value`` as what the element sends; in a modal, with
    ``state`` as what was typed in it (its initial values when None): Slack always sends
    every input of the view, and a handler reads a missing one as left out on purpose."""
    surface, kind = found.surface, str(found.element.get("type"))
    payload = block_action_payload(
        found.action_id,
        value=value,
        block_id=found.block_id,
        action_type=kind,
        user_id=user_id,
        channel_id=surface.channel or CHANNEL_ID,
        message_ts=surface.ts or "1700000000.000100",
        view=dict(surface.view) if surface.view is not None else None,
        response_url=response_url,
    )
    action = payload["actions"][0]
    if kind in ("overflow", "static_select", "external_select"):
        del action["value"]
        action["selected_option"] = {"text": {"type": "plain_text", "text": "x"}, "value": value}
    if surface.view is None and surface.ts is None:  # an ephemeral or a response_url post
        payload["container"]["is_ephemeral"] = True
    if surface.view is not None:
        values = state if state is not None else forms.state_values(surface.view, initial)
        payload["view"]["state"] = {"values": values}
    return payload


def initial(block_id: str, action_id: str, element: forms.Element) -> dict[str, Any]:
    """An element's state as the view first showed it, before anyone typed."""
    kind = element["type"]
    if kind in forms.TEXT_INPUTS:
        return {"value": element.get("initial_value")}
    if kind in forms.SINGLE_MENUS:
        return {"selected_option": element.get("initial_option")}
    if kind in forms.MULTI_MENUS:
        return {"selected_options": element.get("initial_options") or []}
    key, _ = forms.PICKERS[kind]
    return {key: element.get(f"initial_{key.removeprefix('selected_')}")}


def shortcut_payload(kind: str, callback_id: str, user_id: str) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": kind,
        "callback_id": callback_id,
        "trigger_id": new_trigger_id(),
        "action_ts": "1700000000.000001",
        "user": {"id": user_id, "username": f"user-{user_id.lower()}", "team_id": TEAM_ID},
        "team": {"id": TEAM_ID, "domain": "fake"},
        "api_app_id": API_APP_ID,
        "token": "verification-token",
    }
    if kind == "message_action":
        payload["channel"] = {"id": CHANNEL_ID, "name": "general"}
        payload["message_ts"] = "1700000000.000100"
        payload["message"] = {"type": "message", "ts": "1700000000.000100", "text": "Hello"}
    return payload


async def settle() -> None:
    """Bolt acks first and runs the listener on: wait until every listener has finished."""
    current = asyncio.current_task()
    pending = [
        task
        for task in asyncio.all_tasks()
        if task is not current and not task.done() and _is_listener(task)
    ]
    if pending:
        await asyncio.wait(pending, timeout=SETTLE_SECONDS)


def _is_listener(task: asyncio.Task[Any]) -> bool:
    # Bolt's asyncio runner names the task's coroutine this way (as bot.app drains them).
    return "run_ack_function_asynchronously" in getattr(task.get_coro(), "__qualname__", "")
