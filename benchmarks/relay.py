"""How soon a Tavus callback's thread reply reaches Slack, beside the floor.

Times each callback from the moment it is sent to the moment the fake Slack Web API receives
the `chat.postMessage` for its thread reply (`SlackCall.received_at`). Two cases, alternated
over `--channels` channels, each channel quiet for `--quiet` seconds before its next sample, so
every channel stays under Slack's rate of about one message a second:

- idle: the callback is the first post in its channel for a while;
- after card: a `/tavus call` in the channel posts its card first, and the callback is sent
  as soon as the fake Slack has received that card;
- after reply: another callback's reply went to the channel first, and the callback is sent
  as soon as the fake Slack has received that reply.

The floor (`benchmarks/floor.py --relay-to`) posts the reply to the fake Slack as soon as it
gets the callback; in its "after card" case the benchmark posts the card itself. Each round
runs a fresh app process (`python -m bot run`) and a fresh floor process.

    .venv/bin/python benchmarks/relay.py [--samples 12] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from _common import (
    JSON_HEADERS,
    Conversation,
    Cpus,
    FakeSlack,
    Latency,
    Request,
    Server,
    add_pin_option,
    app_command,
    app_environment,
    base_environment,
    channel_ids,
    floor_command,
    free_port,
    header,
    http_session,
    new_conversations,
    post_call_action,
    post_message,
    ratio,
    seed_app,
    serving,
    split_cpus,
    spread,
    tavus_sandbox,
    timed_post,
    verdict,
    write_floor_seeds,
)

from bot.sandbox import SEED_PERSONA_ID
from tests.fakes.signing import signed_headers, slash_command_body
from tests.fakes.slack import SlackCall
from tests.harness import SIGNING_SECRET

RUN_TIMEOUT_SECONDS = 600.0
ARRIVAL_TIMEOUT_SECONDS = 15.0
ARRIVAL_POLL_SECONDS = 0.001
TARGET_P50_MS = 50.0
IDLE, AFTER_CARD, AFTER_REPLY = "idle", "after card", "after reply"
CASES = (IDLE, AFTER_CARD, AFTER_REPLY)

PostCard = Callable[[Conversation], Awaitable[None]]
Samples = dict[str, list[float]]


@dataclass(frozen=True)
class Options:
    samples: int
    rounds: int
    channels: int
    quiet: float
    pin: bool


@dataclass
class Setup:
    slack: FakeSlack
    session: aiohttp.ClientSession
    tavus_url: str
    workdir: Path
    conversations: list[Conversation]
    cpus: Cpus | None
    sequence: int = 0
    # When each channel last received a post (perf_counter): it must be quiet before a sample.
    last_post: dict[str, float] = field(default_factory=dict)


async def arrival(slack: FakeSlack, since: int, matches: Callable[[SlackCall], bool]) -> SlackCall:
    """The first successful chat.postMessage from `slack.calls[since:]` that `matches`."""
    deadline = time.perf_counter() + ARRIVAL_TIMEOUT_SECONDS
    while time.perf_counter() < deadline:
        for call in slack.calls[since:]:
            if call.method == "chat.postMessage" and not call.failed and matches(call):
                return call
        await asyncio.sleep(ARRIVAL_POLL_SECONDS)
    raise RuntimeError(f"no matching chat.postMessage within {ARRIVAL_TIMEOUT_SECONDS}s")


async def quiet(setup: Setup, channel: str, seconds: float) -> None:
    last = setup.last_post.get(channel)
    if last is not None:
        await asyncio.sleep(max(0.0, last + seconds - time.perf_counter()))


async def sample(setup: Setup, server: Server, conversation: Conversation) -> float:
    """Milliseconds from sending one callback to Slack receiving its thread reply."""
    setup.sequence += 1
    tool = f"relay-{setup.sequence}"
    body = post_call_action(conversation, tool, setup.sequence)
    request = Request(server.callback_url(conversation.token), body, JSON_HEADERS)
    since = len(setup.slack.calls)
    sent = time.perf_counter()
    answered = asyncio.create_task(timed_post(setup.session, request))
    reply = await arrival(setup.slack, since, lambda c: is_reply(c, conversation, tool))
    await answered
    setup.last_post[conversation.channel] = reply.received_at
    return (reply.received_at - sent) * 1000


async def card_then_sample(
    setup: Setup, server: Server, conversation: Conversation, post_card: PostCard
) -> float:
    since = len(setup.slack.calls)
    await post_card(conversation)
    await arrival(setup.slack, since, lambda c: is_card_in(c, conversation.channel))
    return await sample(setup, server, conversation)


def is_card_in(call: SlackCall, channel: str) -> bool:
    return call.args.get("channel") == channel and not call.args.get("thread_ts")


def is_reply(call: SlackCall, conversation: Conversation, tool: str) -> bool:
    return (
        call.args.get("channel") == conversation.channel
        and call.args.get("thread_ts") == conversation.parent_ts
        and tool in str(call.args.get("text", ""))
    )


def case_of(index: int, channels: int) -> str:
    """Takes the cases in turn, shifted each rotation when needed so every channel sees all."""
    shift = index // channels if channels % len(CASES) == 0 else 0
    return CASES[(index + shift) % len(CASES)]


async def measure(setup: Setup, server: Server, options: Options, post_card: PostCard) -> Samples:
    samples: Samples = {case: [] for case in CASES}
    channels = len(setup.conversations)
    for index in range(options.samples * len(CASES)):
        conversation = setup.conversations[index % channels]
        case = case_of(index, channels)
        await quiet(setup, conversation.channel, options.quiet)
        if case == AFTER_CARD:
            elapsed = await card_then_sample(setup, server, conversation, post_card)
        elif case == AFTER_REPLY:
            await sample(setup, server, conversation)
            elapsed = await sample(setup, server, conversation)
        else:
            elapsed = await sample(setup, server, conversation)
        samples[case].append(elapsed)
    return samples


def app_card(setup: Setup, server: Server) -> PostCard:
    """A real `/tavus call` in the conversation's channel: the app posts its card there."""

    async def post_card(conversation: Conversation) -> None:
        body = slash_command_body(
            "call --test relay benchmark",
            channel_id=conversation.channel,
            response_url=setup.slack.response_url,
        )
        request = Request(
            f"{server.base_url}/slack/events",
            body.encode(),
            signed_headers(SIGNING_SECRET, body),
        )
        await timed_post(setup.session, request)

    return post_card


def floor_card(setup: Setup) -> PostCard:
    async def post_card(conversation: Conversation) -> None:
        await post_message(setup.session, setup.slack, conversation.channel)

    return post_card


async def app_round(setup: Setup, options: Options, index: int) -> Samples:
    database, port = setup.workdir / f"app-{index}.db", free_port()
    await seed_app(database, setup.conversations)
    env = app_environment(
        slack=setup.slack,
        tavus_url=setup.tavus_url,
        database=database,
        port=port,
        TAVUS_DEFAULT_PERSONA_ID=SEED_PERSONA_ID,
    )
    log = setup.workdir / "app.log"
    async with serving("app", app_command(), env, port=port, log=log, cpus=setup.cpus) as server:
        return await measure(setup, server, options, app_card(setup, server))


async def floor_round(setup: Setup, options: Options, index: int) -> Samples:
    database, port = setup.workdir / f"floor-{index}.db", free_port()
    seeds = write_floor_seeds(setup.workdir / "seeds.json", setup.conversations)
    command = floor_command(port=port, database=database, seeds=seeds, relay_to=setup.slack)
    log = setup.workdir / "floor.log"
    env = base_environment()
    async with serving("floor", command, env, port=port, log=log, cpus=setup.cpus) as server:
        return await measure(setup, server, options, floor_card(setup))


def report(app: Sequence[Samples], floor: Sequence[Samples]) -> None:
    print("all rounds pooled, callback sent -> chat.postMessage received; p50 per round:")
    for case in CASES:
        for name, rounds in (("app", app), ("floor", floor)):
            pooled = Latency.of([ms for r in rounds for ms in r[case]])
            p50s = spread([Latency.of(r[case]).p50 for r in rounds])
            print(f"  {case:<11} {name:<5} {pooled.line()}  round p50s {p50s}")
        app_p50 = Latency.of([ms for r in app for ms in r[case]]).p50
        floor_p50 = Latency.of([ms for r in floor for ms in r[case]]).p50
        print(
            f"  {case:<11} app/floor p50 {ratio(app_p50, floor_p50):.1f}x; "
            f"target p50 <= {TARGET_P50_MS:g} ms: {verdict(app_p50 <= TARGET_P50_MS)}"
        )


async def bench(options: Options) -> None:
    cpus = split_cpus(options.pin)
    header("relay: Tavus callback -> thread reply in Slack, app vs floor", cpus)
    print(
        f"   {options.samples} samples per case per round, {options.rounds} rounds, "
        f"{options.channels} channels, each quiet {options.quiet:g} s before a sample"
    )
    with tempfile.TemporaryDirectory(prefix="tavus-bench-relay-") as tmp:
        async with (
            FakeSlack() as slack,
            tavus_sandbox(joined_delay=3600, max_concurrent=10_000) as sandbox,
            http_session() as session,
        ):
            channels = channel_ids(options.channels)
            conversations = await new_conversations(session, slack, channels, 1)
            setup = Setup(slack, session, sandbox.url, Path(tmp), conversations, cpus)
            app: list[Samples] = []
            floor: list[Samples] = []
            for index in range(options.rounds):
                app.append(await app_round(setup, options, index))
                floor.append(await floor_round(setup, options, index))
                for name, result in (("app", app[-1]), ("floor", floor[-1])):
                    for case in CASES:
                        latency = Latency.of(result[case])
                        print(f"round {index + 1} {name:<5} {case:<11} {latency.line()}")
    report(app, floor)


def parse_options() -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=12, help="per case per round (12)")
    parser.add_argument("--rounds", type=int, default=3, help="app and floor rounds (3)")
    parser.add_argument("--channels", type=int, default=16, help="channels rotated over (16)")
    parser.add_argument(
        "--quiet", type=float, default=1.5, help="seconds a channel rests between samples (1.5)"
    )
    add_pin_option(parser)
    args = parser.parse_args()
    if args.samples < 1 or args.rounds < 1 or args.channels < 1 or args.quiet < 1.0:
        parser.error("need --samples, --rounds, --channels >= 1 and --quiet >= 1 s")
    return Options(args.samples, args.rounds, args.channels, args.quiet, args.pin)


def main() -> int:
    asyncio.run(asyncio.wait_for(bench(parse_options()), RUN_TIMEOUT_SECONDS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
