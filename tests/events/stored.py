"""A resource as the store hands it to an interpreter, for the event tests of every kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from storage import Resource


def stored(
    kind: str,
    tavus_id: str,
    *,
    status: str | None,
    name: str | None = None,
    details: Mapping[str, Any] | None = None,
    finished: bool = False,
) -> Resource:
    """Started from Slack by U0123ABCD, its card in C0123, called back at "token"."""
    return Resource(
        id=1,
        kind=kind,
        tavus_id=tavus_id,
        team_id="T0001",
        owner_user_id="U0123ABCD",
        channel_id="C0123",
        message_ts="1700000000.000100",
        callback_token="token",
        status=status,
        name=name,
        details=dict(details or {}),
        finished=finished,
        created_at=0.0,
        updated_at=0.0,
    )
