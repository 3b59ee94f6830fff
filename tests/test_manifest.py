"""manifest.yml declares exactly what the code registers with Bolt, and nothing it does not use.

The Bolt app is built the way `bot.app.build_bolt_app` builds it, with `AsyncApp` swapped
for a subclass that records the constraint of every listener it registers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
import yaml
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

import bot.app
from bot.config import Settings
from bot.scopes import BOT_SCOPES
from bot.services import Services
from handlers.guards import GuardedApp

MANIFEST_PATH = Path(__file__).resolve().parents[1] / "manifest.yml"
SLACK_EVENTS_PATH = "/slack/events"

# What each bot event needs beyond the event itself. An event missing here fails the test:
# add it with its "Required scopes" from https://api.slack.com/events/<name>.
EVENT_SCOPES: dict[str, frozenset[str]] = {
    "app_home_opened": frozenset(),
    "app_mention": frozenset({"app_mentions:read"}),
    "app_uninstalled": frozenset(),
    "tokens_revoked": frozenset(),
    "member_joined_channel": frozenset({"channels:read", "groups:read"}),
    "link_shared": frozenset({"links:read"}),
    "message.channels": frozenset({"channels:history"}),
    "message.groups": frozenset({"groups:history"}),
    "message.im": frozenset({"im:history"}),
    "message.mpim": frozenset({"mpim:history"}),
}
# The scopes the code's Web API calls need, and why (`tavus-slack check` reads the same).
CODE_SCOPES = BOT_SCOPES
# Users /invite @Tavus instead; posting uninvited would surprise a channel.
FORBIDDEN_SCOPES = frozenset({"chat:write.public"})

INTERACTIVE_METHODS = (
    "action",
    "block_action",
    "attachment_action",
    "view",
    "view_submission",
    "view_closed",
    "dialog_submission",
    "dialog_cancellation",
)
OPTIONS_METHODS = ("options", "block_suggestion", "dialog_suggestion")
SHORTCUT_METHODS = ("shortcut", "global_shortcut", "message_shortcut")
OTHER_METHODS = ("command", "event", "message", "function")


class RecordingApp(GuardedApp):
    """An AsyncApp that remembers, per registering method, the constraint of each listener."""

    recorded: defaultdict[str, list[Any]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.recorded = defaultdict(list)
        super().__init__(*args, **kwargs)


def _recording(name: str) -> Callable[..., Any]:
    original = getattr(AsyncApp, name)

    def method(self: RecordingApp, constraint: Any = "", *args: Any, **kwargs: Any) -> Any:
        self.recorded[name].append(constraint)
        return original(self, constraint, *args, **kwargs)

    return method


for _name in (*INTERACTIVE_METHODS, *OPTIONS_METHODS, *SHORTCUT_METHODS, *OTHER_METHODS):
    setattr(RecordingApp, _name, _recording(_name))


@pytest.fixture
def manifest() -> dict[str, Any]:
    with MANIFEST_PATH.open(encoding="utf-8") as handle:
        return cast(dict[str, Any], yaml.safe_load(handle))


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> RecordingApp:
    monkeypatch.setattr(bot.app, "GuardedApp", RecordingApp)
    settings = Settings(slack_bot_token="xoxb-1", tavus_api_key="k", slack_signing_secret="s")
    # Registering listeners touches none of store, tavus and notifier.
    unused: Any = None
    services = Services(
        settings=settings,
        store=unused,
        tavus=unused,
        slack=AsyncWebClient(token="xoxb-1"),
        notifier=unused,
    )
    app = bot.app.build_bolt_app(services)
    assert isinstance(app, RecordingApp)
    return app


def _strings(app: RecordingApp, methods: tuple[str, ...], key: str) -> set[str]:
    found = set()
    for method in methods:
        for constraint in app.recorded[method]:
            value = constraint.get(key) if isinstance(constraint, dict) else constraint
            if isinstance(value, re.Pattern) or not isinstance(value, str):
                pytest.fail(
                    f"app.{method}({constraint!r}): use a plain string to keep it checkable"
                )
            found.add(value)
    return found


def _manifest_events(manifest: dict[str, Any]) -> list[str]:
    return list(manifest["settings"].get("event_subscriptions", {}).get("bot_events", []))


def _scopes(manifest: dict[str, Any]) -> set[str]:
    return set(manifest["oauth_config"]["scopes"]["bot"])


def test_every_listener_was_recorded(registered: RecordingApp) -> None:
    recorded = sum(len(constraints) for constraints in registered.recorded.values())
    assert recorded == len(registered._async_listeners), "a registering method is not recorded"


def test_slash_commands_match(registered: RecordingApp, manifest: dict[str, Any]) -> None:
    declared = [c["command"] for c in manifest["features"].get("slash_commands", [])]
    assert len(declared) == len(set(declared))
    assert set(declared) == _strings(registered, ("command",), "command")


def test_shortcuts_match(registered: RecordingApp, manifest: dict[str, Any]) -> None:
    declared = [s["callback_id"] for s in manifest["features"].get("shortcuts", [])]
    assert len(declared) == len(set(declared))
    assert set(declared) == _strings(registered, SHORTCUT_METHODS, "callback_id")


def test_shortcuts_are_of_the_type_they_are_registered_as(
    registered: RecordingApp, manifest: dict[str, Any]
) -> None:
    declared = {s["callback_id"]: s for s in manifest["features"].get("shortcuts", [])}
    for method, kind in (("global_shortcut", "global"), ("message_shortcut", "message")):
        for callback_id in _strings(registered, (method,), "callback_id"):
            assert declared[callback_id]["type"] == kind, callback_id
    for shortcut in declared.values():
        # Slack's manifest schema: a name of 1-24 characters, a description of 1-150.
        assert 1 <= len(shortcut["name"]) <= 24, shortcut["name"]
        assert 1 <= len(shortcut["description"]) <= 150, shortcut["description"]


def test_bot_events_match(registered: RecordingApp, manifest: dict[str, Any]) -> None:
    declared = _manifest_events(manifest)
    assert len(declared) == len(set(declared))
    code_events = _strings(registered, ("event",), "type")
    message_events = {e for e in declared if e.startswith("message.")}
    listens_to_messages = bool(registered.recorded["message"]) or "message" in code_events
    assert set(declared) - message_events == code_events - {"message"}
    assert bool(message_events) == listens_to_messages, "message listeners need message.* events"


def test_bot_events_have_their_scopes(manifest: dict[str, Any]) -> None:
    scopes = _scopes(manifest)
    for event in _manifest_events(manifest):
        assert event in EVENT_SCOPES, f"add {event} and its required scopes to EVENT_SCOPES"
        missing = EVENT_SCOPES[event] - scopes
        assert not missing, f"{event} needs the scopes {sorted(missing)}"


def test_scopes_are_exactly_what_the_code_uses(manifest: dict[str, Any]) -> None:
    scopes = _scopes(manifest)
    needed = set(CODE_SCOPES).union(*(EVENT_SCOPES[e] for e in _manifest_events(manifest)))
    assert {"commands", "chat:write", "files:write"} <= scopes
    assert not scopes & FORBIDDEN_SCOPES
    assert scopes == needed


def test_interactivity_matches_listeners(
    registered: RecordingApp, manifest: dict[str, Any]
) -> None:
    interactivity = manifest["settings"].get("interactivity", {})
    interactive = any(registered.recorded[m] for m in INTERACTIVE_METHODS + SHORTCUT_METHODS)
    has_options = any(registered.recorded[m] for m in OPTIONS_METHODS)
    assert interactivity.get("is_enabled", False) == (interactive or has_options)
    assert ("message_menu_options_url" in interactivity) == has_options


def test_every_url_is_the_slack_events_route(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    urls = [c["url"] for c in manifest["features"]["slash_commands"]]
    urls.append(settings["interactivity"]["request_url"])
    urls.append(settings["interactivity"]["message_menu_options_url"])
    urls.append(settings["event_subscriptions"]["request_url"])
    for url in urls:
        assert url.startswith("https://") and url.endswith(SLACK_EVENTS_PATH), url


def test_app_home_and_bot_user(registered: RecordingApp, manifest: dict[str, Any]) -> None:
    features = manifest["features"]
    assert manifest["_metadata"]["major_version"] == 1
    assert manifest["display_information"]["name"] == "Tavus"
    assert features["bot_user"] == {"display_name": "Tavus", "always_online": True}
    if "app_home_opened" in _strings(registered, ("event",), "type"):
        assert features["app_home"]["home_tab_enabled"] is True
    # Posting to a user ID lands in the app's Messages tab: it must be open for replies.
    assert features["app_home"]["messages_tab_enabled"] is True
    assert features["app_home"]["messages_tab_read_only_enabled"] is True


def test_http_mode_defaults(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is False
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False
    for command in manifest["features"]["slash_commands"]:
        assert command["should_escape"] is False
        assert command["description"] and command["usage_hint"]
