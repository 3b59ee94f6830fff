"""A local simulator of the Tavus API: aiohttp server, in-memory state, real callbacks."""

from __future__ import annotations

from bot.sandbox.app import SANDBOX_STATE, build_app, serve
from bot.sandbox.documents import Document
from bot.sandbox.faults import Fault, Faults
from bot.sandbox.jobs import SCRIPT_FAIL_MARKER, URL_FAIL_MARKER
from bot.sandbox.lipsync import Lipsync
from bot.sandbox.options import check_options
from bot.sandbox.recording import RecordedRequest
from bot.sandbox.state import (
    SEED_ECHO_PERSONA_ID,
    SEED_PERSONA_2_ID,
    SEED_PERSONA_ID,
    SEED_REPLICA_2_ID,
    SEED_REPLICA_3_ID,
    SEED_REPLICA_ID,
    SEED_VOICES,
    SandboxState,
)
from bot.sandbox.videos import Video

__all__ = [
    "SANDBOX_STATE",
    "SEED_ECHO_PERSONA_ID",
    "SEED_PERSONA_2_ID",
    "SEED_PERSONA_ID",
    "SEED_REPLICA_2_ID",
    "SEED_REPLICA_3_ID",
    "SEED_REPLICA_ID",
    "SEED_VOICES",
    "SCRIPT_FAIL_MARKER",
    "URL_FAIL_MARKER",
    "Document",
    "Fault",
    "Faults",
    "Lipsync",
    "RecordedRequest",
    "SandboxState",
    "Video",
    "build_app",
    "check_options",
    "serve",
]
