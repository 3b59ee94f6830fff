"""Turns what Tavus reports (a callback body or a polled event) into stored events and posts.

Callbacks and the poller both go through ``ingest`` so a thread looks the same either way.
"""

from __future__ import annotations

from bot.events.base import Interpretation, MalformedEvent
from bot.events.ingest import ingest, interpret

__all__ = ["Interpretation", "MalformedEvent", "ingest", "interpret"]
