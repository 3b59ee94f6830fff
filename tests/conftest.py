"""Shared fixtures: no test sees the developer's Slack or Tavus settings."""

from __future__ import annotations

import os

import pytest

CLEARED_PREFIXES = ("SLACK_", "TAVUS_")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(CLEARED_PREFIXES):
            monkeypatch.delenv(name)
