"""A deterministic burst of Tavus callbacks over every resource family, and its checker.

``plan()`` lays out resources (conversations with their objective and guardrail sets, videos,
replicas, documents, lip-syncs) over several channels, each with a thread of its own, and the
callbacks Tavus would send them, shaped as Tavus sends them (tavus-callbacks.md). Each
callback says which messages it should leave in its thread (``Expected``).

``seed()`` posts each thread's parent message to the fake Slack and stores the resources.
``send()`` sends the callbacks: a thread's callbacks one after another (each after the
previous one's 200, so a thread's acceptance order is its order in the plan), many threads at
once. ``check()`` reads the fake Slack and reports, per thread, what was lost, duplicated,
unexpected or out of order, and which cards do not show what the store says.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import httpx

from bot.callback_tokens import new_callback_token
from bot.events.conversations import PREVIEW_LINES
from bot.kinds import render_card
from bot.notifier.slack_ops import META_EVENT_TYPE
from storage import Resource, Store
from tests.fakes.slack import FakeSlack

TEAM_ID = "T0001"
OWNER_ID = "U123"
CALLBACKS = 500
CHANNELS = 48
SENDERS = 16
SEND_TIMEOUT_SECONDS = 10.0
REPLICA_ID = "r79e1c033f"

Body = dict[str, Any]


@dataclass(frozen=True)
class Expected:
    """A message a callback should leave in its thread: a reply whose text contains
    ``marker``, or (``file``) a shared file with that title."""

    marker: str
    file: bool = False


Step = tuple[str, Body, tuple[Expected, ...]]  # (the token it is sent to, body, messages)


@dataclass(frozen=True)
class Callback:
    index: int  # its place in the plan
    thread: str  # the tavus id of the resource whose thread it posts in
    token: str  # its URL's token: the resource Tavus calls back about
    body: Body
    expects: tuple[Expected, ...] = ()

    @property
    def label(self) -> str:
        what = self.body.get("event_type") or self.body.get("status") or "set event"
        return f"#{self.index} {self.thread} {what}"


@dataclass
class Thread:
    """A resource with a card in a channel; its replies thread under the card."""

    kind: str
    tavus_id: str
    channel: str
    status: str
    name: str | None = None
    token: str = field(default_factory=new_callback_token)
    parent_ts: str = ""  # set by seed()


@dataclass(frozen=True)
class CallbackSet:
    """An objective or guardrail set: no card; its events go to the call's thread."""

    kind: str
    tavus_id: str
    token: str = field(default_factory=new_callback_token)


@dataclass(frozen=True)
class Plan:
    threads: list[Thread]
    sets: list[CallbackSet]
    callbacks: list[Callback]

    @property
    def channels(self) -> list[str]:
        return sorted({thread.channel for thread in self.threads})

    def by_thread(self) -> dict[str, list[Callback]]:
        grouped: dict[str, list[Callback]] = {t.tavus_id: [] for t in self.threads}
        for callback in self.callbacks:
            grouped[callback.thread].append(callback)
        return grouped

    def expected_messages(self, threads: Sequence[Thread] | None = None) -> int:
        wanted = {t.tavus_id for t in (self.threads if threads is None else threads)}
        return sum(len(c.expects) for c in self.callbacks if c.thread in wanted)


# -- the plan ---------------------------------------------------------------------------------


def plan(
    callbacks: int = CALLBACKS, *, channels: int = CHANNELS, channel_prefix: str = "CF"
) -> Plan:
    """``callbacks`` callbacks (the last group is cut to fit) over ``channels`` channels."""
    threads: list[Thread] = []
    sets: list[CallbackSet] = []
    sequences: list[tuple[Thread, list[Step]]] = []
    group = 0
    while sum(len(steps) for _, steps in sequences) < callbacks:
        objectives = CallbackSet("objective", f"o5{group:05x}")
        guardrails = CallbackSet("guardrail", f"g5{group:05x}")
        sets += [objectives, guardrails]
        for thread, steps in _group(group, objectives, guardrails):
            threads.append(thread)
            sequences.append((thread, steps))
        group += 1
    _spread(sequences, [f"{channel_prefix}{i:04d}" for i in range(channels)])
    planned: list[Callback] = []
    for thread, step in _interleaved(sequences):
        if len(planned) == callbacks:
            break
        token, body, expects = step
        planned.append(Callback(len(planned), thread.tavus_id, token, body, expects))
    return Plan(threads=threads, sets=sets, callbacks=planned)


def _group(
    g: int, objectives: CallbackSet, guardrails: CallbackSet
) -> list[tuple[Thread, list[Step]]]:
    conversation = Thread("conversation", f"c5{g:05x}", "", "waiting")
    video = Thread("video", f"7{g:05x}e0", "", "queued", name=f"Welcome video {g}")
    replica = Thread("replica", f"r5{g:05x}", "", "training", name=f"Presenter {g}")
    document = Thread("document", f"d5{g:05x}", "", "started", name=f"Handbook {g}")
    lipsync = Thread("lipsync", f"w5{g:05x}", "", "started")
    return [
        (conversation, _conversation_steps(g, conversation, objectives, guardrails)),
        (video, _video_steps(g, video)),
        (replica, _replica_steps(g, replica)),
        (document, _document_steps(g, document)),
        (lipsync, _lipsync_steps(g, lipsync)),
    ]


def _spread(sequences: list[tuple[Thread, list[Step]]], channels: list[str]) -> None:
    """Each thread to the channel with the fewest messages so far: even per-channel load."""
    load = dict.fromkeys(channels, 0)
    for thread, steps in sorted(sequences, key=lambda item: -_messages(item[1])):
        channel = min(channels, key=lambda c: (load[c], c))
        thread.channel = channel
        load[channel] += _messages(steps)


def _messages(steps: Sequence[Step]) -> int:
    return sum(len(expects) for _, _, expects in steps)


def _interleaved(
    sequences: list[tuple[Thread, list[Step]]],
) -> Iterator[tuple[Thread, Step]]:
    """Round robin over the threads, so a cut burst still reaches every family."""
    longest = max(len(steps) for _, steps in sequences)
    for position in range(longest):
        for thread, steps in sequences:
            if position < len(steps):
                yield thread, steps[position]


def _at(g: int, second: int) -> str:
    return f"2025-07-11T06:{g % 60:02d}:{second:02d}.564961Z"


def _conversation_steps(
    g: int, conversation: Thread, objectives: CallbackSet, guardrails: CallbackSet
) -> list[Step]:
    cid, own = conversation.tavus_id, conversation.token

    def event(event_type: str, second: int, properties: Body) -> Body:
        return {
            "conversation_id": cid,
            "event_type": event_type,
            "message_type": event_type.split(".")[0],
            "timestamp": _at(g, second),
            "properties": properties,
        }

    joined = "system.pal_joined" if g % 2 else "system.replica_joined"
    uri = f"s3://tavus-recordings/{cid}/recording.mp4"
    transcript = _transcript(g)
    long = len([turn for turn in transcript if turn["role"] != "system"]) > PREVIEW_LINES
    return [
        (
            own,
            event(joined, 1, {"replica_id": REPLICA_ID}),
            (Expected(":wave: The replica joined the call."),),
        ),
        (
            objectives.token,
            {
                "conversation_id": cid,
                "objective_name": f"qualify{g}",
                "output_variables": {"budget": f"{g}000"},
            },
            (Expected(f"Objective *qualify{g}* completed"),),
        ),
        (
            guardrails.token,
            {
                "conversation_id": cid,
                "properties": {"guardrail": f"nopricing{g}", "guardrail_uuid": f"gu-{g}"},
            },
            (Expected(f"Guardrail *nopricing{g}* was triggered"),),
        ),
        (
            objectives.token,
            {"conversation_id": cid, "objective_name": f"book{g}", "output_variables": {}},
            (Expected(f"Objective *book{g}* completed"),),
        ),
        (
            own,
            event(
                "system.shutdown",
                40,
                {"replica_id": REPLICA_ID, "shutdown_reason": "participant_left_timeout"},
            ),
            (Expected(":stop_sign: The call ended"),),
        ),
        (
            own,
            event("application.transcription_ready", 45, {"transcript": transcript}),
            (Expected(":memo: Transcript ready"),)
            + ((Expected("Conversation transcript", file=True),) if long else ()),
        ),
        (
            own,
            event(
                "application.recording_ready",
                50,
                {
                    "bucket_name": "tavus-recordings",
                    "s3_key": f"{cid}/recording.mp4",
                    "duration": 120 + g,
                    "storage_provider": "s3",
                    "storage_uri": uri,
                },
            ),
            (Expected(uri),),
        ),
        (
            own,
            event(
                "application.perception_analysis",
                55,
                {"analysis": f"The participant looked engaged throughout call {g}."},
            ),
            (Expected(":eyes: Perception analysis"),),
        ),
        (
            own,
            event(
                "application.post_call_action_executed",
                58,
                {"tool_name": f"crmsync{g}", "request": {"url": "https://crm.example.com/x"}},
            ),
            (Expected(f"Post-call action *crmsync{g}* ran"),),
        ),
    ]


def _transcript(g: int) -> list[Body]:
    turns = PREVIEW_LINES + 8 if g % 4 == 0 else 3  # some long enough to go up as a file too
    transcript: list[Body] = [{"role": "system", "content": "You are a helpful assistant."}]
    for turn in range(turns):
        role = "user" if turn % 2 == 0 else "assistant"
        transcript.append({"role": role, "content": f"Turn {turn} of call {g}."})
    return transcript


def _video_steps(g: int, video: Thread) -> list[Step]:
    vid = video.tavus_id

    def state(status: str, progress: int, **extra: Any) -> Body:
        return {
            "video_id": vid,
            "video_name": video.name,
            "status": status,
            "replica_id": REPLICA_ID,
            "data": {"script": f"Hello from video {g}"},
            "status_details": "Your request is processing.",
            "generation_progress": f"{progress}/100",
            "download_url": None,
            "stream_url": None,
            "hosted_url": f"https://videos.tavus.io/video/{vid}",
            "created_at": "2024-08-28 15:27:40.824457",
            "updated_at": f"2024-08-28 15:29:{progress % 60:02d}.802670",
            **extra,
        }

    if g % 5 == 4:
        done = state("error", 0, status_details="The script could not be voiced.")
        result = (Expected("The video could not be generated"),)
    else:
        done = state(
            "ready",
            100,
            status_details="Your request has processed successfully!",
            download_url=f"https://cdn.tavus.example/{vid}/high.mp4?download=1",
            stream_url=f"https://cdn.tavus.example/{vid}/stream.m3u8",
        )
        result = (Expected(":clapper: Your video is ready"),)
    own = video.token
    return [
        (own, state("generating", 30), ()),
        (own, state("generating", 70), ()),
        (own, done, result),
    ]


def _replica_steps(g: int, replica: Thread) -> list[Step]:
    if g % 3 == 2:
        body = {
            "replica_id": replica.tavus_id,
            "status": "error",
            "error_message": "The training video does not meet the minimum duration requirement"
            " for training",
        }
        return [(replica.token, body, (Expected(":x: Training failed"),))]
    body = {"replica_id": replica.tavus_id, "status": "ready"}
    return [(replica.token, body, (Expected(f"Replica *{replica.name}* is trained"),))]


def _document_steps(g: int, document: Thread) -> list[Step]:
    def state(status: str, progress: int | None, **extra: Any) -> Body:
        return {
            "document_id": document.tavus_id,
            "document_name": document.name,
            "document_url": f"https://docs.example.com/handbook-{g}",
            "status": status,
            "progress": progress,
            "error_message": None,
            "created_at": "2025-07-11T06:00:00Z",
            "updated_at": f"2025-07-11T06:01:{progress or 0:02d}Z",
            "callback_url": None,
            "tags": ["faults"],
            **extra,
        }

    if g % 4 == 3:
        done = state("error", None, error_message="file_download_failed")
        result = (Expected(f"Tavus could not add *{document.name}*"),)
    else:
        pages = [f"https://docs.example.com/handbook-{g}/{page}" for page in range(3)]
        done = state("ready", 100, crawled_urls=pages)
        result = (Expected(f"*{document.name}* is ready"),)
    own = document.token
    return [
        (own, state("processing", 40), ()),
        (own, state("processing", 80), ()),
        (own, done, result),
    ]


def _lipsync_steps(g: int, lipsync: Thread) -> list[Step]:
    def state(status: str, **extra: Any) -> Body:
        return {
            "lipsync_id": lipsync.tavus_id,
            "lipsync_name": None,
            "request_id": lipsync.tavus_id,
            "request_name": None,
            "status": status,
            "created_at": "2025-07-11 06:00:00",
            "video_url": None,
            "error_message": None,
            **extra,
        }

    done = state("completed", video_url=f"https://cdn.tavus.example/{lipsync.tavus_id}.mp4")
    return [
        (lipsync.token, state("started"), ()),
        (lipsync.token, done, (Expected(":lips: The lip-sync is ready"),)),
    ]


# -- seeding ----------------------------------------------------------------------------------


async def seed(store: Store, slack: FakeSlack, burst: Plan) -> None:
    """Each thread's parent message in the fake Slack (as its card would be), then every
    resource in the store, as the app would have stored them when it started the jobs."""
    async with httpx.AsyncClient() as http:
        for thread in burst.threads:
            thread.parent_ts = await _post_parent(http, slack, thread)
    for thread in burst.threads:
        await store.create_resource(
            kind=thread.kind,
            tavus_id=thread.tavus_id,
            team_id=TEAM_ID,
            owner_user_id=OWNER_ID,
            channel_id=thread.channel,
            message_ts=thread.parent_ts,
            status=thread.status,
            name=thread.name,
            callback_token=thread.token,
        )
    for callback_set in burst.sets:
        await store.create_resource(
            kind=callback_set.kind,
            tavus_id=callback_set.tavus_id,
            team_id=TEAM_ID,
            owner_user_id=OWNER_ID,
            status="active",
            callback_token=callback_set.token,
        )


async def _post_parent(http: httpx.AsyncClient, slack: FakeSlack, thread: Thread) -> str:
    response = await http.post(
        f"{slack.api_url}chat.postMessage",
        headers={"Authorization": f"Bearer {slack.token}"},
        json={"channel": thread.channel, "text": f"{thread.kind} {thread.tavus_id} (card)"},
    )
    body = response.json()
    if not body.get("ok"):
        raise AssertionError(f"the fake Slack refused a parent message: {body}")
    return str(body["ts"])


async def stored_resources(store: Store, burst: Plan) -> dict[str, Resource]:
    found = {}
    for thread in burst.threads:
        resource = await store.get_resource(kind=thread.kind, tavus_id=thread.tavus_id)
        if resource is not None:
            found[thread.tavus_id] = resource
    return found


# -- sending ----------------------------------------------------------------------------------


@dataclass
class Sent:
    """What one pass of sending did: the callbacks answered 200, in the order of the
    answers, and the rest with why (an HTTP status or a connection error)."""

    accepted: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


async def send(
    base_url: str,
    callbacks: Sequence[Callback],
    *,
    senders: int = SENDERS,
    halt_after: int | None = None,
    on_halt: Callable[[], None] | None = None,
) -> Sent:
    """Send every callback; a thread's in order, each after the previous one's 200.

    ``halt_after``: on that many 200s, call ``on_halt`` (kill the app, say) at once and send
    nothing more; what is in flight then ends as it ends. A thread whose callback is refused
    stops there: Tavus would redeliver from it."""
    sent = Sent()
    queue: asyncio.Queue[list[Callback]] = asyncio.Queue()
    for steps in _threads_in_order(callbacks):
        queue.put_nowait(steps)
    halted = asyncio.Event()

    async def sender(http: aiohttp.ClientSession) -> None:
        while not halted.is_set() and not queue.empty():
            for callback in queue.get_nowait():
                if halted.is_set() or not await _send_one(http, base_url, callback, sent):
                    break
                if halt_after is not None and len(sent.accepted) == halt_after:
                    halted.set()
                    if on_halt is not None:
                        on_halt()

    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=senders),
        timeout=aiohttp.ClientTimeout(total=SEND_TIMEOUT_SECONDS),
    ) as http:
        await asyncio.gather(*(sender(http) for _ in range(senders)))
    return sent


def _threads_in_order(callbacks: Sequence[Callback]) -> list[list[Callback]]:
    threads: dict[str, list[Callback]] = {}
    for callback in callbacks:
        threads.setdefault(callback.thread, []).append(callback)
    return list(threads.values())


async def _send_one(
    http: aiohttp.ClientSession, base_url: str, callback: Callback, sent: Sent
) -> bool:
    url = f"{base_url}/tavus/callbacks/{callback.token}"
    try:
        async with http.post(url, data=json.dumps(callback.body).encode()) as response:
            await response.read()
            status = response.status
    except (aiohttp.ClientError, TimeoutError) as exc:  # the app went down mid-request
        sent.refused[callback.index] = type(exc).__name__
        return False
    if status != 200:
        sent.refused[callback.index] = f"HTTP {status}"
        return False
    sent.accepted.append(callback.index)
    return True


# -- checking ---------------------------------------------------------------------------------


@dataclass
class Report:
    """What reached Slack, measured against what the accepted callbacks should have left."""

    expected: int = 0  # messages the accepted callbacks should have left
    delivered: int = 0  # ... of which are in Slack, once or more
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)  # matching no callback at all
    unacknowledged: list[str] = field(default_factory=list)  # a callback never answered 200
    out_of_order: list[str] = field(default_factory=list)
    unlabelled: list[str] = field(default_factory=list)  # replies without the outbox metadata
    stale_cards: list[str] = field(default_factory=list)

    @property
    def problems(self) -> dict[str, list[str]]:
        named = {
            "lost": self.lost,
            "duplicated": self.duplicated,
            "unexpected": self.unexpected,
            "out of order": self.out_of_order,
            "without metadata": self.unlabelled,
            "stale cards": self.stale_cards,
        }
        return {name: found for name, found in named.items() if found}

    def assert_exactly_once_in_order(self) -> None:
        assert not self.problems, _describe(self.problems)


def _describe(problems: Mapping[str, list[str]]) -> str:
    return "; ".join(f"{name} ({len(found)}): {found[:8]}" for name, found in problems.items())


def check(
    slack: FakeSlack,
    burst: Plan,
    accepted: set[int],
    *,
    threads: Sequence[Thread] | None = None,
    resources: Mapping[str, Resource] | None = None,
) -> Report:
    """Every accepted callback's messages in its thread exactly once, in acceptance order
    (the plan's, per thread); with ``resources`` (as stored), every card shows its resource."""
    report = Report()
    grouped = burst.by_thread()
    for thread in burst.threads if threads is None else threads:
        _check_thread(report, slack, thread, grouped[thread.tavus_id], accepted)
        if resources is not None and thread.tavus_id in resources:
            _check_card(report, slack, thread, resources[thread.tavus_id])
    return report


Slot = tuple[int, int]  # (callback index, which of its expected messages)


def _check_thread(
    report: Report,
    slack: FakeSlack,
    thread: Thread,
    callbacks: Sequence[Callback],
    accepted: set[int],
) -> None:
    slots = {(c.index, n): e for c in callbacks for n, e in enumerate(c.expects)}
    labels = {c.index: c.label for c in callbacks}
    seen: dict[Slot, int] = {}
    order: list[Slot] = []
    for message in slack.replies(thread.channel, thread.parent_ts):
        slot = _slot_of(message, slots)
        if slot is None:
            report.unexpected.append(f"{thread.tavus_id}: {message.get('text')!r}")
            continue
        if not message.get("files") and not _labelled(message):
            report.unlabelled.append(f"{labels[slot[0]]}: {message.get('text')!r}")
        seen[slot] = seen.get(slot, 0) + 1
        if seen[slot] == 1:
            order.append(slot)
    for slot, expected in slots.items():
        count, label = seen.get(slot, 0), f"{labels[slot[0]]} -> {expected.marker}"
        if slot[0] not in accepted:
            if count:
                report.unacknowledged.append(label)
            continue
        report.expected += 1
        report.delivered += count > 0
        if count == 0:
            report.lost.append(label)
        elif count > 1:
            report.duplicated.append(f"{label} x{count}")
    if order != sorted(order):
        report.out_of_order.append(f"{thread.tavus_id}: {[labels[i] for i, _ in order]}")


def _slot_of(message: Mapping[str, Any], slots: Mapping[Slot, Expected]) -> Slot | None:
    titles = [f.get("title") for f in message.get("files") or []]
    text = str(message.get("text") or "")
    for slot, expected in slots.items():
        if expected.file and expected.marker in titles:
            return slot
        if not expected.file and not titles and expected.marker in text:
            return slot
    return None


def _labelled(message: Mapping[str, Any]) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return metadata.get("event_type") == META_EVENT_TYPE and "outbox_id" in payload


def _check_card(report: Report, slack: FakeSlack, thread: Thread, resource: Resource) -> None:
    text, _ = render_card(resource)
    cards = [m for m in slack.messages(channel=thread.channel) if m["ts"] == thread.parent_ts]
    shown = cards[0]["text"] if cards else None
    if shown != text:
        report.stale_cards.append(f"{thread.kind} {thread.tavus_id} ({resource.status})")


# -- waiting ----------------------------------------------------------------------------------


async def until_delivered(
    slack: FakeSlack,
    burst: Plan,
    threads: Sequence[Thread],
    *,
    timeout: float = 30.0,  # noqa: ASYNC109 - a failure deadline, not a timing
) -> None:
    """Wait until every message planned for ``threads`` is in Slack (after a full send)."""
    wanted = burst.expected_messages(threads)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (found := _replies_in(slack, threads)) < wanted:
        if loop.time() >= deadline:
            raise AssertionError(f"{found} of {wanted} messages arrived within {timeout}s")
        await asyncio.sleep(0.02)


def _replies_in(slack: FakeSlack, threads: Sequence[Thread]) -> int:
    return sum(len(slack.replies(t.channel, t.parent_ts)) for t in threads)
