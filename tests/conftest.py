"""Shared fixtures: no test sees the developer's Slack or Tavus settings."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

import bot.notifier.pacing
import bot.notifier.worker
from tests.fakes.clock import Clock
from tests.fakes.slack import FakeSlack

CLEARED_PREFIXES = ("SLACK_", "TAVUS_")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(CLEARED_PREFIXES):
            monkeypatch.delenv(name)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture(autouse=True)
def no_channel_pacing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The notifier paces posts per channel as Slack asks; tests need not wait (a test of
    pacing gives its notifier a Pacer of its own)."""
    monkeypatch.setattr(bot.notifier.pacing, "INTERVAL_SECONDS", 0)
    monkeypatch.setattr(bot.notifier.worker, "CARD_UPDATE_SPACING_SECONDS", 0)
