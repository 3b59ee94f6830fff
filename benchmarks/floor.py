"""The floor: the least a competent server must do for each route the benchmarks measure.

The benchmarks run it as a subprocess beside the app, under the same load, so each figure of
the app can be read against what Python, aiohttp and SQLite cost on the same machine that run.
It imports nothing of the app.

- `POST /slack/events`: verifies the Slack signature (slack_sdk's verifier) and answers 200.
- `POST /tavus/callbacks/{token}`: looks the token up, parses the JSON body, inserts one event
  row (deduplicated) and one outbox row in one transaction on one aiosqlite connection (WAL,
  `synchronous=NORMAL`, like the app's store), commits, then answers 200: a 200 means committed.
- With `--relay-to`, the callback route instead posts the thread reply to that Slack Web API
  as soon as the token is found, on one kept-alive session, and answers 200.

    python benchmarks/floor.py --port 8000 --database floor.db --seeds seeds.json \
        --signing-secret SECRET [--relay-to http://127.0.0.1:9000/api/ --slack-token xoxb-...]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import signal
import sqlite3
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import aiosqlite
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA synchronous = NORMAL",
)
SCHEMA = """
CREATE TABLE IF NOT EXISTS resources (
    id INTEGER PRIMARY KEY,
    callback_token TEXT NOT NULL UNIQUE,
    tavus_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    message_ts TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    resource_id INTEGER NOT NULL REFERENCES resources (id),
    dedup_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_at REAL NOT NULL,
    UNIQUE (resource_id, dedup_key)
);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    resource_id INTEGER NOT NULL REFERENCES resources (id),
    event_id INTEGER NOT NULL REFERENCES events (id),
    payload TEXT NOT NULL,
    next_attempt_at REAL NOT NULL,
    done_at REAL
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (done_at, next_attempt_at);
"""


@dataclass
class Floor:
    db: aiosqlite.Connection
    verifier: SignatureVerifier
    slack: aiohttp.ClientSession | None = None
    slack_url: str = ""
    # One connection: transactions of concurrent requests must not interleave on it.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    posts: set[asyncio.Task[None]] = field(default_factory=set)


async def slack_events(request: web.Request, floor: Floor) -> web.Response:
    body = await request.read()
    valid = floor.verifier.is_valid(
        body=body,
        timestamp=request.headers.get("X-Slack-Request-Timestamp", ""),
        signature=request.headers.get("X-Slack-Signature", ""),
    )
    return web.Response(status=200 if valid else 401)


async def tavus_callback(request: web.Request, floor: Floor) -> web.Response:
    rows = await floor.db.execute_fetchall(
        "SELECT id, channel_id, message_ts FROM resources WHERE callback_token = ?",
        (request.match_info["token"],),
    )
    if not rows:
        return web.json_response({"ok": False, "error": "unknown callback token"}, status=404)
    try:
        body = json.loads(await request.read())
    except ValueError:
        return web.json_response({"ok": False, "error": "body is not JSON"}, status=400)
    resource_id, channel, thread_ts = next(iter(rows))
    if floor.slack is not None:
        relay(floor, channel, thread_ts, body)
    else:
        await store(floor, resource_id, body)
    return web.json_response({"ok": True})


async def store(floor: Floor, resource_id: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body, sort_keys=True)
    key = hashlib.sha256(payload.encode()).hexdigest()
    now = time.time()
    async with floor.lock:
        await floor.db.execute("BEGIN IMMEDIATE")
        try:
            inserted = await floor.db.execute_fetchall(
                "INSERT INTO events (resource_id, dedup_key, payload, received_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                (resource_id, key, payload, now),
            )
            for (event_id,) in inserted:
                await floor.db.execute(
                    "INSERT INTO outbox (resource_id, event_id, payload, next_attempt_at)"
                    " VALUES (?, ?, ?, ?)",
                    (resource_id, event_id, json.dumps({"text": reply_text(body)}), now),
                )
        except BaseException:
            await floor.db.execute("ROLLBACK")
            raise
        await floor.db.execute("COMMIT")


def reply_text(body: dict[str, Any]) -> str:
    tool = (body.get("properties") or {}).get("tool_name") or "an action"
    return f":gear: Post-call action ran: *{tool}*"


def relay(floor: Floor, channel: str, thread_ts: str, body: dict[str, Any]) -> None:
    task = asyncio.create_task(post_reply(floor, channel, thread_ts, reply_text(body)))
    floor.posts.add(task)
    task.add_done_callback(floor.posts.discard)


async def post_reply(floor: Floor, channel: str, thread_ts: str, text: str) -> None:
    assert floor.slack is not None
    async with floor.slack.post(
        f"{floor.slack_url}chat.postMessage",
        json={"channel": channel, "thread_ts": thread_ts, "text": text},
    ) as response:
        await response.read()


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


@contextlib.asynccontextmanager
async def opened(args: argparse.Namespace) -> AsyncIterator[Floor]:
    db = await aiosqlite.connect(args.database, isolation_level=None)
    slack = None
    if args.relay_to:
        headers = {"Authorization": f"Bearer {args.slack_token}"}
        slack = aiohttp.ClientSession(headers=headers)
    try:
        for pragma in PRAGMAS:
            await db.execute(pragma)
        await db.executescript(SCHEMA)
        await seed(db, args.seeds)
        yield Floor(db, SignatureVerifier(args.signing_secret), slack, args.relay_to or "")
    finally:
        if slack is not None:
            await slack.close()
        await db.close()


async def seed(db: aiosqlite.Connection, seeds: list[dict[str, str]]) -> None:
    rows = [(s["token"], s["tavus_id"], s["channel"], s["parent_ts"]) for s in seeds]
    with contextlib.suppress(sqlite3.IntegrityError):  # already seeded by an earlier start
        await db.executemany(
            "INSERT INTO resources (callback_token, tavus_id, channel_id, message_ts)"
            " VALUES (?, ?, ?, ?)",
            rows,
        )


def build_app(floor: Floor) -> web.Application:
    app = web.Application()

    async def events(request: web.Request) -> web.Response:
        return await slack_events(request, floor)

    async def callback(request: web.Request) -> web.Response:
        return await tavus_callback(request, floor)

    app.router.add_post("/slack/events", events)
    app.router.add_post("/tavus/callbacks/{token}", callback)
    app.router.add_get("/healthz", healthz)
    return app


async def serve(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with opened(args) as floor:
        runner = web.AppRunner(build_app(floor), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", args.port).start()
        await stop.wait()
        await runner.cleanup()
        await asyncio.gather(*floor.posts, return_exceptions=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database", type=Path, required=True)
    parser.add_argument("--seeds", type=Path, required=True, help="JSON list of conversations")
    parser.add_argument("--signing-secret", required=True)
    parser.add_argument("--relay-to", help="a Slack Web API base URL: relay, do not store")
    parser.add_argument("--slack-token", default="")
    args = parser.parse_args()
    args.seeds = json.loads(args.seeds.read_text())
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
