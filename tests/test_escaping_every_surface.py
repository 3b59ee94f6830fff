"""Hostile text reaches Slack escaped on every surface, never raw.

Each surface gets names, scripts, errors, transcript lines... carrying `<!channel>` (a ping),
`<https://evil|click>` (a forged link) and `&`, each behind a tag naming where it was put.
Then everything the fake Slack received (messages, updates, ephemerals, views, unfurls,
response_url posts) and every answer the app gave Slack (acks, options, modal errors) is
read the way Slack reads it: in mrkdwn (text objects of type mrkdwn, a message's top-level
`text`, a file's comment) the three characters must arrive as `&lt;`, `&gt;` and `&amp;`, and
never twice escaped; plain_text is not markup, so it may carry them as typed. Each tag must
show up on its surface, escaped in mrkdwn or in plain_text: a surface that dropped the text
would prove nothing.

The app is driven for real (in-process, against the Tavus sandbox) wherever the route is
practical: Tavus's text comes from the sandbox or from callbacks posted with real tokens,
the user's from slash commands and form submissions.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.blocks import settings_modal, start_modal, video_modal
from bot.channel_settings import ChannelSettings
from bot.sandbox import SEED_PERSONA_ID, SEED_REPLICA_ID
from bot.tavus import TavusClient
from tests.fakes.signing import USER_ID, view_submission_payload
from tests.fakes.slack import FakeSlack
from tests.handlers.replica_forms import submit
from tests.harness import (
    ADMIN_ID,
    Harness,
    Sandbox,
    app_settings,
    free_port,
    harness,
    tavus_sandbox,
)

CHANNEL = "C123"
HANDBOOK = "https://docs.example.com/handbook.pdf"
CLIP, VOICE = "https://example.com/clip.mp4", "https://example.com/voice.mp3"
PING, LINK = "<!channel>", "<https://evil|click>"
ESCAPED = "&lt;!channel&gt;&amp;&lt;https://evil|click&gt;"
DOUBLE_ESCAPED = ("&amp;lt;", "&amp;gt;", "&amp;amp;")


def tag(name: str) -> str:
    """A marker for one place hostile text was put: `T_` and capitals."""
    return f"T_{name}"


def hostile(marker: str) -> str:
    """The three control characters behind a tag that says where they were put."""
    return f"{marker}{PING}&{LINK}"


# -- reading payloads the way Slack does ----------------------------------------------------


@dataclass
class Texts:
    """The strings of what Slack received, by how Slack renders them."""

    mrkdwn: list[tuple[str, str]] = field(default_factory=list)  # (where, text)
    plain: list[tuple[str, str]] = field(default_factory=list)

    def add_payload(self, where: str, payload: Any) -> None:
        """A message, view, unfurl or answer: its top-level `text` is mrkdwn (the message's
        notification and fallback), unless it says `mrkdwn: false`."""
        if not isinstance(payload, dict):
            return
        for key in ("text", "initial_comment"):
            value = payload.get(key)
            if isinstance(value, str) and payload.get("mrkdwn") is not False:
                self.mrkdwn.append((f"{where}.{key}", value))
        for key, value in payload.items():
            if key == "errors" and isinstance(value, dict):  # a modal's errors: plain text
                self.plain.extend((f"{where}.errors", str(v)) for v in value.values())
            elif key not in ("text", "initial_comment"):
                self._walk(f"{where}.{key}", value)

    def _walk(self, where: str, node: Any) -> None:
        if isinstance(node, list):
            for index, item in enumerate(node):
                self._walk(f"{where}[{index}]", item)
            return
        if not isinstance(node, dict):
            return
        kind, text = node.get("type"), node.get("text")
        if isinstance(text, str) and kind in ("mrkdwn", "markdown"):
            self.mrkdwn.append((where, text))
        elif isinstance(text, str) and kind == "plain_text":
            self.plain.append((where, text))
        for key, value in node.items():
            if not (key == "text" and isinstance(value, str)):
                self._walk(f"{where}.{key}", value)

    def unsafe(self) -> list[str]:
        """Every mrkdwn string where a control character arrived raw or escaped twice."""
        found = []
        for where, text in self.mrkdwn:
            raw = [marker for marker in (PING, "<https://evil") if marker in text]
            twice = [entity for entity in DOUBLE_ESCAPED if entity in text]
            loose = [marker for marker in _tags_in(text) if not _escaped_after(text, marker)]
            if raw or twice or loose:
                found.append(f"{where}: {text[:300]!r}")
        return found

    def shown(self, marker: str) -> bool:
        """Whether the tag's text reached Slack: escaped in mrkdwn (in any case: a status may
        be lowercased), or in plain_text."""
        escaped = f"{marker}&lt;!channel".lower()
        return any(escaped in text.lower() for _, text in self.mrkdwn) or any(
            marker in text for _, text in self.plain
        )


def _tags_in(text: str) -> list[str]:
    """The tags (T_ + capitals) in a text, at each place one occurs."""
    found, start = [], 0
    while (at := text.find("T_", start)) != -1:
        end = at + 2
        while end < len(text) and (text[end].isupper() or text[end].isdigit()):
            end += 1
        found.append(text[at:end])
        start = end
    return found


def _escaped_after(text: str, marker: str) -> bool:
    """Whatever follows each occurrence of ``marker`` is the escaped text, or a cut-off start
    of it (a link label has its `|` swapped for `¦`)."""
    start = 0
    while (at := text.find(marker, start)) != -1:
        start = at + len(marker)
        following = text[start : start + len(ESCAPED)].replace("¦", "|").split("…")[0]
        if following and not (ESCAPED.startswith(following) or _is_cut(following)):
            return False
    return True


def _is_cut(following: str) -> bool:
    """A tag followed by something else entirely (a space, punctuation): the text was cut
    right after the tag, or the tag appears on its own (an id, say)."""
    return not following.startswith(("<", "&"))


# -- the world -------------------------------------------------------------------------------


@dataclass
class World:
    running: Harness
    sandbox: Sandbox
    answers: list[tuple[str, Any]]  # (request path, JSON answer) for every app answer

    @property
    def slack(self) -> FakeSlack:
        return self.running.slack

    @property
    def tavus(self) -> TavusClient:
        return self.running.app.services.tavus

    def texts(self, since: Mark | None = None) -> Texts:
        mark = since or Mark()
        texts = Texts()
        for call in self.slack.calls[mark.calls :]:
            args = dict(call.args)
            if call.method == "chat.unfurl" and isinstance(args.get("unfurls"), str):
                args["unfurls"] = json.loads(args["unfurls"])
            texts.add_payload(call.method, args)
        for index, response in enumerate(self.slack.responses[mark.responses :]):
            texts.add_payload(f"response_url#{index}", response)
        for path, answer in self.answers[mark.answers :]:
            texts.add_payload(f"answer to {path}", answer)
        return texts

    def mark(self) -> Mark:
        return Mark(len(self.slack.calls), len(self.slack.responses), len(self.answers))

    async def callback(self, kind: str, tavus_id: str, body: dict[str, Any]) -> None:
        store = self.running.app.services.store
        resource = await store.get_resource(kind=kind, tavus_id=tavus_id)
        assert resource is not None and resource.callback_token
        response = await self.running.callback(resource.callback_token, body)
        assert response.status_code == 200, response.text


@dataclass(frozen=True)
class Mark:
    """How much Slack had received at some moment."""

    calls: int = 0
    responses: int = 0
    answers: int = 0


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with (
        FakeSlack() as slack,
        tavus_sandbox(
            joined_delay=0.05,
            participant_delay=None,
            video_delay=0.2,
            training_delay=0.2,
            document_delay=0.2,
            lipsync_delay=0.2,
            objective_delay=None,
            guardrail_delay=None,
        ) as sandbox,
    ):
        port = free_port()
        settings = app_settings(
            slack=slack,
            tavus_url=sandbox.url,
            database_path=tmp_path / "t.db",
            port=port,
            public_url=f"http://127.0.0.1:{port}",
            default_replica_id=SEED_REPLICA_ID,
        )
        async with harness(slack, settings) as running:
            answers: list[tuple[str, Any]] = []
            running.http.event_hooks["response"].append(_recorder(answers))
            world = World(running, sandbox, answers)
            yield world
            # Whatever a test looked at, nothing it made the app send was raw or escaped twice.
            assert world.texts().unsafe() == []


def _recorder(answers: list[tuple[str, Any]]) -> Callable[[httpx.Response], Awaitable[None]]:
    async def record(response: httpx.Response) -> None:
        await response.aread()
        if response.headers.get("content-type", "").startswith("application/json"):
            answers.append((response.request.url.path, response.json()))

    return record


# -- waiting, and what to assert ---------------------------------------------------------


async def until(check: Callable[[], Awaitable[bool] | bool], what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while True:
        result = check()
        if await result if isinstance(result, Awaitable) else result:
            return
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def answered(world: World, mark: Mark, count: int = 1) -> Texts:
    """What Slack got after ``mark``, once ``count`` response_url posts arrived."""
    await world.slack.wait_for_response(count=mark.responses + count, timeout=10)
    return world.texts(mark)


def assert_safe_and_shown(texts: Texts, tags: Iterable[str]) -> None:
    assert texts.unsafe() == []
    missing = [t for t in tags if not texts.shown(t)]
    assert missing == [], f"not shown: {missing}; mrkdwn: {texts.mrkdwn}; plain: {texts.plain}"


async def started(world: World, kind: str, count: int = 1) -> list[str]:
    """The Tavus ids of the first ``count`` resources of ``kind`` the app started."""
    store = world.running.app.services.store

    async def enough() -> bool:
        return len(await store.list_resources(kind=kind)) >= count

    await until(enough, f"{count} {kind}(s) started")
    found = await store.list_resources(kind=kind)
    return [r.tavus_id for r in reversed(found) if r.tavus_id]


async def all_shown(world: World, tags: Iterable[str], since: Mark | None = None) -> Texts:
    """What Slack got, once every tag reached it (or ten seconds passed: the caller's
    assertion then says which did not)."""
    wanted = list(tags)
    with contextlib.suppress(AssertionError):
        await until(lambda: all(world.texts(since).shown(t) for t in wanted), "every tag")
    return world.texts(since)


async def settled(world: World, kind: str, *statuses: str) -> None:
    store = world.running.app.services.store

    async def done() -> bool:
        found = await store.list_resources(kind=kind)
        return bool(found) and all(r.status in statuses for r in found)

    await until(done, f"every {kind} {'/'.join(statuses)}")


def thread_replies(world: World) -> list[dict[str, Any]]:
    return [m for m in world.slack.messages(channel=CHANNEL) if m["thread_ts"] is not None]


# -- forms -----------------------------------------------------------------------------------

START_DEFAULTS: dict[str, Any] = {
    "channel_id": CHANNEL,
    "max_call_duration": 600,
    "participant_left_timeout": 60,
}
Form = dict[str, dict[str, dict[str, Any]]]


def typed(block: str, value: str | None) -> Form:
    return {block: {block: {"type": "plain_text_input", "value": value}}}


def start_form(name_tag: str) -> Form:
    """The "Start a conversation" form, filled in with hostile text where one types."""
    return {
        start_modal.B_PERSONA: {
            start_modal.PERSONA_ACTION: {
                "type": "external_select",
                "selected_option": {"value": SEED_PERSONA_ID},
            }
        },
        start_modal.B_REPLICA: {start_modal.REPLICA_ACTION: {"selected_option": None}},
        start_modal.B_CHANNEL: {start_modal.B_CHANNEL: {"selected_conversation": CHANNEL}},
        **typed(start_modal.B_NAME, hostile(name_tag)),
        **typed(start_modal.B_CONTEXT, hostile(tag("FORMCONTEXT"))),
        **typed(start_modal.B_GREETING, hostile(tag("GREETING"))),
    }


def video_form(name_tag: str) -> Form:
    return {
        video_modal.B_REPLICA: {
            video_modal.REPLICA_ACTION: {"selected_option": {"value": SEED_REPLICA_ID}}
        },
        **typed(video_modal.B_SCRIPT, hostile(tag("FORMSCRIPT"))),
        **typed(video_modal.B_NAME, hostile(name_tag)),
        video_modal.B_CHANNEL: {video_modal.B_CHANNEL: {"selected_conversation": CHANNEL}},
    }


async def submit_form(
    world: World, view: dict[str, Any], values: Form, *, user_id: str = USER_ID
) -> httpx.Response:
    """Opens ``view`` in the fake Slack, then submits it filled in with ``values``."""
    opened = await world.running.app.services.slack.views_open(trigger_id="tr.form", view=view)
    payload = view_submission_payload(
        str(view["callback_id"]),
        values=values,
        view_id=str(opened["view"]["id"]),
        private_metadata=str(opened["view"].get("private_metadata") or ""),
        user_id=user_id,
    )
    response = await world.running.interact(payload)
    assert response.status_code == 200, response.text
    return response


# -- hostile text in Tavus -----------------------------------------------------------------


def hostile_seeds(sandbox: Sandbox) -> None:
    """Tavus's stock persona and replica, renamed: every card that names them shows it."""
    sandbox.state.personas[SEED_PERSONA_ID]["persona_name"] = hostile(tag("PERSONA"))
    sandbox.state.replicas[SEED_REPLICA_ID]["replica_name"] = hostile(tag("REPLICA"))


async def seed_hostile_resources(world: World) -> dict[str, str]:
    """One resource of every family in Tavus, named (and described) with hostile text."""
    tavus = world.tavus
    conversation = await tavus.conversations.create(
        persona_id=SEED_PERSONA_ID,
        conversation_name=hostile(tag("CONVNAME")),
        conversational_context=hostile(tag("CONVCONTEXT")),
    )
    video = await tavus.videos.generate(
        replica_id=SEED_REPLICA_ID, script=hostile(tag("SCRIPT")), video_name=hostile(tag("VIDN"))
    )
    replica = await tavus.replicas.create(
        train_video_url="https://example.com/train.mp4", replica_name=hostile(tag("REPN"))
    )
    document = await tavus.documents.create(
        document_url="https://docs.example.com/a.pdf",
        document_name=hostile(tag("DOCN")),
        tags=[hostile(tag("DOCTAG"))],
    )
    objectives = await tavus.objectives.create(
        [{"objective_name": hostile(tag("OBJN")), "objective_prompt": hostile(tag("OBJP"))}]
    )
    guardrails = await tavus.guardrails.create(
        name=hostile(tag("GUARDSET")),
        guardrails=[{"guardrail_name": "no_pricing", "guardrail_prompt": hostile(tag("GUARDP"))}],
    )
    persona = await tavus.personas.create(
        persona_name=hostile(tag("PERSN")),
        system_prompt=hostile(tag("PROMPT")),
        context=hostile(tag("PCONTEXT")),
        default_replica_id=SEED_REPLICA_ID,
    )
    dictionary = await tavus.dictionaries.create(
        name=hostile(tag("DICTN")),
        rules=[
            {"text": hostile(tag("WORD")), "pronunciation": hostile(tag("SAYS")), "type": "alias"}
        ],
    )
    lipsync = await tavus.lipsync.create(
        original_video_url="https://example.com/v.mp4",
        source_audio_url="https://example.com/a.mp3",
        lipsync_name=hostile(tag("LIPN")),
    )
    return {
        "conversation": conversation.conversation_id,
        "video": video.video_id,
        "replica": replica.replica_id,
        "document": document.document_id,
        "objective": objectives.objectives_id,
        "guardrail": guardrails.guardrails_id,
        "persona": persona.persona_id,
        "dictionary": dictionary.dictionary_id,
        "lipsync": lipsync.lipsync_id,
    }


# -- listings and details of every family ----------------------------------------------------


LISTED = {
    "conversations": [tag("CONVNAME")],
    "videos": [tag("VIDN")],
    "replicas user": [tag("REPN")],
    "documents": [tag("DOCN"), tag("DOCTAG")],
    "objectives": [tag("OBJN")],
    "guardrails": [tag("GUARDSET")],
    "personas user": [tag("PERSN")],
    "dictionaries": [tag("DICTN")],
    "lipsyncs": [tag("LIPN")],
}
DETAILED = {
    "conversation": [tag("CONVNAME")],
    "video": [tag("VIDN"), tag("SCRIPT")],
    "replica": [tag("REPN")],
    "document": [tag("DOCN"), tag("DOCTAG")],
    "objective": [tag("OBJN"), tag("OBJP")],
    "guardrail": [tag("GUARDSET"), tag("GUARDP")],
    "persona": [tag("PERSN"), tag("PROMPT"), tag("PCONTEXT")],
    "dictionary": [tag("DICTN"), tag("WORD"), tag("SAYS")],
    "lipsync": [tag("LIPN")],
}


async def test_listings_and_details_of_every_family_escape_tavus_names(world: World) -> None:
    ids = await seed_hostile_resources(world)
    for words, tags in LISTED.items():
        mark = world.mark()
        await world.running.command(words)
        assert_safe_and_shown(await answered(world, mark), tags)
    for kind, tags in DETAILED.items():
        mark = world.mark()
        await world.running.command(f"{kind} show {ids[kind]}")
        assert_safe_and_shown(await answered(world, mark), tags)
    world.slack.assert_nothing_rejected()


# -- a call: its card and every kind of event in its thread ----------------------------------


CALL_EVENTS: list[tuple[dict[str, Any], list[str]]] = [
    (
        {
            "event_type": "application.transcription_ready",
            "properties": {
                "transcript": [
                    {"role": "system", "content": "You are helpful."},
                    {"role": "user", "content": hostile(tag("SAID"))},
                    {"role": "assistant", "content": hostile(tag("ANSWERED"))},
                ]
            },
        },
        [tag("SAID"), tag("ANSWERED")],
    ),
    (
        {
            "event_type": "application.perception_analysis",
            "properties": {"analysis": hostile(tag("ANALYSIS"))},
        },
        [tag("ANALYSIS")],
    ),
    (
        {
            "event_type": "application.perception_unavailable",
            "properties": {"reason": hostile(tag("NOPERCEPTION"))},
        },
        [tag("NOPERCEPTION")],
    ),
    (
        {
            "event_type": "application.recording_ready",
            "properties": {"storage_uri": hostile(tag("STORAGE")), "duration": hostile(tag("DUR"))},
        },
        [tag("STORAGE"), tag("DUR")],
    ),
    (
        {
            "event_type": "application.recording_copy_failed",
            "properties": {
                "error_message": hostile(tag("COPYERROR")),
                "storage_provider": hostile(tag("PROV")),
            },
        },
        [tag("COPYERROR"), tag("PROV")],
    ),
    (
        {
            "event_type": "application.post_call_action_executed",
            "properties": {"tool_name": hostile(tag("TOOL")), "status": hostile(tag("STAT"))},
        },
        [tag("TOOL"), tag("STAT")],
    ),
    (
        {
            "objective_name": hostile(tag("OBJECTIVE")),
            "output_variables": {hostile(tag("VARKEY")): hostile(tag("VARVALUE"))},
        },
        [tag("OBJECTIVE"), tag("VARKEY"), tag("VARVALUE")],
    ),
    ({"properties": {"guardrail": hostile(tag("GUARDRAIL"))}}, [tag("GUARDRAIL")]),
    ({"event_type": hostile(tag("NEWKIND")), "properties": {"x": hostile(tag("X"))}}, []),
    (
        {
            "event_type": "system.shutdown",
            "properties": {"shutdown_reason": hostile(tag("SHUTDOWN"))},
        },
        [tag("SHUTDOWN")],
    ),
]


async def test_a_call_card_and_every_event_in_its_thread_escape_tavus_text(world: World) -> None:
    hostile_seeds(world.sandbox)
    await world.running.command(f"call {SEED_PERSONA_ID} {hostile(tag('CONTEXT'))}")
    (conversation_id,) = await started(world, "conversation")
    card = await all_shown(world, [tag("PERSONA"), tag("REPLICA")])
    assert_safe_and_shown(card, [tag("PERSONA"), tag("REPLICA")])

    for body, tags in CALL_EVENTS:
        mark = world.mark()
        await world.callback(
            "conversation", conversation_id, {"conversation_id": conversation_id, **body}
        )
        assert_safe_and_shown(await all_shown(world, tags, mark), tags)
    # The ended card repeats Tavus's reason.
    ended = await world.slack.wait_for(
        "chat.update", predicate=lambda c: tag("SHUTDOWN") in json.dumps(c.args)
    )
    assert_safe_and_shown(world.texts(), [tag("SHUTDOWN")])
    assert ended and PING not in json.dumps(world.slack.messages())
    world.slack.assert_nothing_rejected()


# -- jobs: the card, the result in its thread, the error -------------------------------------


async def test_job_cards_results_and_errors_escape_names_scripts_and_reasons(
    world: World,
) -> None:
    hostile_seeds(world.sandbox)
    running = world.running
    await running.command(f"video {hostile(tag('SCRIPT'))}")
    await submit(running, name=hostile(tag("TRAINED")))
    document = f"#{hostile(tag('DOCTAG'))} {hostile(tag('DOCUMENT'))}"
    await running.command(f"document add {HANDBOOK} {document}")
    await running.command(f"lipsync {CLIP} {VOICE} {hostile(tag('LIPSYNC'))}")
    for kind in ("video", "replica", "document", "lipsync"):
        await settled(world, kind, "ready", "completed")
    # Each result in its card's thread; the trained replica and the document are named again.
    await until(lambda: len(thread_replies(world)) >= 4, "a result for each job")
    results = Texts()
    for reply in thread_replies(world):
        results.add_payload("reply", reply)
    assert_safe_and_shown(results, [tag("TRAINED"), tag("DOCUMENT")])
    cards = [tag("SCRIPT"), tag("REPLICA"), tag("TRAINED"), tag("DOCUMENT"), tag("DOCTAG")]
    assert_safe_and_shown(world.texts(), [*cards, tag("LIPSYNC")])

    mark = world.mark()
    world.sandbox.state.configure(
        video_error=hostile(tag("VIDEOERROR")),
        replica_error=hostile(tag("TRAININGERROR")),
        lipsync_error=hostile(tag("LIPSYNCERROR")),
        document_delay=60.0,
    )
    await running.command("video This one fails")
    await submit(running, name="Fails")
    await running.command(f"lipsync {CLIP} {VOICE} Fails")
    await running.command(f"document add {HANDBOOK} Fails")
    (_, document_id) = await started(world, "document", 2)
    await world.callback(
        "document",
        document_id,
        {"document_id": document_id, "status": "error", "error_message": hostile(tag("DOCERROR"))},
    )
    failed = [tag("VIDEOERROR"), tag("TRAININGERROR"), tag("LIPSYNCERROR"), tag("DOCERROR")]
    assert_safe_and_shown(await all_shown(world, failed, mark), failed)
    world.slack.assert_nothing_rejected()


# -- links Tavus sends -----------------------------------------------------------------------

FORGED = "https://videos.example.com/v?a=1&b=2|Forged label"
FORGED_PLAIN = "https://videos.example.com/v?a=1&b=2|Forged"
# A `<url|label>` token whose label came from the URL (a bare URL's `|` labels nothing).
FORGED_LABEL = re.compile(r"<[^<>|]*\|Forged")


async def test_links_tavus_sends_cannot_ping_or_forge_a_label(world: World) -> None:
    """A result link is Tavus's text too: `|` must not start a label of its own, `&` and
    `<>` must not reach mrkdwn raw (a URL that cannot be carried safely is left out)."""
    world.sandbox.state.configure(video_delay=60.0, lipsync_delay=60.0)
    await world.running.command("video A video whose links are odd")
    await world.running.command(f"lipsync {CLIP} {VOICE} Odd")
    (video_id,) = await started(world, "video")
    (lipsync_id,) = await started(world, "lipsync")
    mark = world.mark()
    links = {
        "hosted_url": FORGED_PLAIN,
        "download_url": f"https://cdn.example.com/d.mp4?{PING}",
        "stream_url": f"https://cdn.example.com/s.m3u8?{LINK}",
        "still_image_thumbnail_url": FORGED_PLAIN,
    }
    await world.callback("video", video_id, {"video_id": video_id, "status": "ready", **links})
    await world.callback(
        "lipsync",
        lipsync_id,
        {"lipsync_id": lipsync_id, "status": "completed", "video_url": FORGED},
    )
    await world.slack.wait_for(
        "chat.postMessage", count=2, predicate=lambda c: "ready" in str(c.args.get("text"))
    )
    texts = world.texts(mark)
    assert texts.unsafe() == []
    for where, text in texts.mrkdwn:
        assert not FORGED_LABEL.search(text) and "&b=2" not in text, (where, text)
    assert any("&amp;b=2" in text for _, text in texts.mrkdwn)  # the link is there, escaped
    world.slack.assert_nothing_rejected()


# -- App Home and unfurls --------------------------------------------------------------------


async def test_app_home_for_owner_and_admin_escapes_names_and_reasons(world: World) -> None:
    hostile_seeds(world.sandbox)
    world.sandbox.state.configure(training_delay=60.0)
    running = world.running
    await submit_form(world, start_modal.start_modal(**START_DEFAULTS), start_form(tag("CALL")))
    await submit_form(world, video_modal.video_modal(channel_id=CHANNEL), video_form(tag("VIDEO")))
    await running.command(f"document add {HANDBOOK} {hostile(tag('DOCUMENT'))}")
    await submit(running, name=hostile(tag("TRAINING")))
    await settled(world, "conversation", "live")
    await settled(world, "video", "ready")
    world.sandbox.state.configure(video_error=hostile(tag("VIDEOERROR")))
    await running.command("video This one fails")
    await until(lambda: world.texts().shown(tag("VIDEOERROR")), "the video to fail")

    shown = {
        USER_ID: [tag("CALL"), tag("VIDEO"), tag("DOCUMENT"), tag("TRAINING"), tag("VIDEOERROR")],
        ADMIN_ID: [tag("CALL")],  # everyone's live calls
    }
    for user_id, tags in shown.items():
        assert_safe_and_shown(await open_home(world, user_id), tags)
    world.slack.assert_nothing_rejected()


async def open_home(world: World, user_id: str) -> Texts:
    """What Slack got from the user opening their App Home, once their tab was published."""

    def published() -> int:
        calls = world.slack.calls_to("views.publish")
        return len([c for c in calls if c.args.get("user_id") == user_id])

    mark, before = world.mark(), published()
    await world.running.event({"type": "app_home_opened", "user": user_id, "tab": "home"})
    await until(lambda: published() > before, f"{user_id}'s home")
    return world.texts(mark)


async def test_unfurled_tavus_links_escape_what_tavus_says_of_them(world: World) -> None:
    hostile_seeds(world.sandbox)
    ids = await seed_hostile_resources(world)
    await until(lambda: world.sandbox.state.videos[ids["video"]].status == "ready", "the video")
    links = {
        f"https://tavus.daily.co/{ids['conversation']}": [tag("CONVNAME"), tag("REPLICA")],
        f"https://videos.tavus.io/video/{ids['video']}": [tag("VIDN"), tag("SCRIPT")],
    }
    for url, tags in links.items():
        mark, before = world.mark(), len(world.slack.unfurls)
        await world.running.event(
            {
                "type": "link_shared",
                "channel": CHANNEL,
                "user": USER_ID,
                "message_ts": "1700000000.000100",
                "links": [{"domain": url.split("/")[2], "url": url}],
            }
        )
        await until(lambda: len(world.slack.unfurls) > before, "the unfurl")  # noqa: B023
        assert_safe_and_shown(await all_shown(world, tags, mark), tags)
    assert len(world.slack.unfurls) == 2


# -- what the user typed, said back; what Tavus refused, said in words -----------------------

USAGE_ECHOES = {
    "{}": "I don't know",
    "conversations {}": "is not something I can do",
    "end {}": "is not a conversation id",
    "persona show {}": "is not a persona id",
    "video delete {}": "is not a video id",
    "documents {}": "No documents matching",
    "voices {}": "",
}


async def test_usage_errors_and_searches_say_back_what_was_typed_escaped(world: World) -> None:
    for number, (command, words) in enumerate(USAGE_ECHOES.items()):
        echo = tag(f"TYPED{number}")
        mark = world.mark()
        response = await world.running.command(command.format(hostile(echo)))
        assert response.status_code == 200
        if not world.texts(mark).shown(echo):
            await all_shown(world, [echo], mark)
        texts = world.texts(mark)
        assert_safe_and_shown(texts, [echo])
        assert any(words in text for _, text in texts.mrkdwn), (command, texts.mrkdwn)


async def test_tavus_refusals_and_renames_are_said_back_escaped(world: World) -> None:
    faults = world.sandbox.state.faults
    faults.fail("POST", "/v2/conversations", 400, message=hostile(tag("REFUSED")))
    mark = world.mark()
    await world.running.command(f"call {SEED_PERSONA_ID}")
    assert_safe_and_shown(await answered(world, mark), [tag("REFUSED")])

    # In a form, Tavus's refusal replaces the form (the modal error view).
    faults.fail("POST", "/v2/conversations", 400, message=hostile(tag("FORMREFUSED")))
    mark = world.mark()
    await submit_form(world, start_modal.start_modal(**START_DEFAULTS), start_form(tag("X")))
    await world.slack.wait_for("views.update")
    assert_safe_and_shown(world.texts(mark), [tag("FORMREFUSED")])

    # A form refused field by field: the errors are plain text (shown as typed).
    mark = world.mark()
    form = {**video_form(tag("Y")), **typed(video_modal.B_WATERMARK, hostile(tag("WATERMARK")))}
    refused = await submit_form(world, video_modal.video_modal(channel_id=CHANNEL), form)
    assert refused.json()["response_action"] == "errors"
    assert world.texts(mark).unsafe() == []

    await world.running.command("video Something to rename")
    (video_id,) = await started(world, "video")
    mark = world.mark()
    await world.running.command(f"video rename {video_id} {hostile(tag('RENAMED'))}")
    assert_safe_and_shown(await answered(world, mark), [tag("RENAMED")])
    world.slack.assert_nothing_rejected()


async def test_settings_refusals_never_say_back_raw_text(world: World) -> None:
    mark = world.mark()
    await world.running.command(f"settings {hostile(tag('SETTINGS'))}")
    refusal = await answered(world, mark)
    assert any("creator or an admin" in text for _, text in refusal.mrkdwn)
    assert refusal.unsafe() == [] and not refusal.shown(tag("SETTINGS"))

    only_calls = {
        settings_modal.B_ALLOWED: {
            settings_modal.B_ALLOWED: {"selected_options": [{"value": "call"}]}
        }
    }
    saved = await submit_form(
        world,
        settings_modal.settings_modal(channel_id=CHANNEL, current=ChannelSettings()),
        only_calls,
        user_id=ADMIN_ID,
    )
    assert saved.json()["response_action"] == "update"
    mark = world.mark()
    answer = await world.running.command(f"video {hostile(tag('NOTHERE'))}")
    assert "not allowed in this channel" in answer.text
    texts = world.texts(mark)
    assert texts.unsafe() == [] and not texts.shown(tag("NOTHERE"))
