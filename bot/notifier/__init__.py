"""Delivers the outbox to Slack: per-channel lanes, leases, exactly-once retries."""

from __future__ import annotations

from bot.notifier.pacing import Pacer
from bot.notifier.worker import CardRenderer, Notifier

__all__ = ["CardRenderer", "Notifier", "Pacer"]
