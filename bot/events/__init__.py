"""Interpreters: what a Tavus callback body (or a polled event) means for Slack, per kind.

An interpretation is plain data (dedup key, status, outbox drafts); ``bot.ingest`` stores it.
"""

from __future__ import annotations

from bot.events.base import Interpretation, MalformedEvent, Polled, ThreadOf

__all__ = ["Interpretation", "MalformedEvent", "Polled", "ThreadOf"]
