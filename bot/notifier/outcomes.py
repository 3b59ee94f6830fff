"""What a failed Slack call means for the outbox row that made it.

One table, so the worker acts on the kind of failure and never on an error's wording.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError

DEFAULT_RETRY_AFTER_SECONDS = 5.0


class Failure(enum.Enum):
    RATE_LIMITED = "rate_limited"  # wait for Retry-After; this channel only; no attempt used
    TRANSIENT = "transient"  # Slack or the network is having trouble; no attempt used
    CONFIG = "config"  # the token or scopes are wrong: wait for an operator, never drop
    BLOCKS_REFUSED = "blocks_refused"  # post the plain text instead
    UNREACHABLE = "unreachable"  # the bot cannot post in this channel: go to the owner's DM
    PERMANENT = "permanent"  # no retry can fix it: set the row aside
    UNKNOWN = "unknown"  # retried a few times, then set aside


@dataclass(frozen=True)
class Outcome:
    failure: Failure
    error: str
    retry_after: float | None = None
    # The request may have reached Slack: look for the message before posting it again.
    maybe_posted: bool = False


_BY_ERROR: dict[str, Failure] = {
    "ratelimited": Failure.RATE_LIMITED,
    "rate_limited": Failure.RATE_LIMITED,
    "internal_error": Failure.TRANSIENT,
    "fatal_error": Failure.TRANSIENT,
    "service_unavailable": Failure.TRANSIENT,
    "invalid_auth": Failure.CONFIG,
    "not_authed": Failure.CONFIG,
    "account_inactive": Failure.CONFIG,
    "token_revoked": Failure.CONFIG,
    "token_expired": Failure.CONFIG,
    "missing_scope": Failure.CONFIG,
    "no_permission": Failure.CONFIG,
    "org_login_required": Failure.CONFIG,
    "invalid_blocks": Failure.BLOCKS_REFUSED,
    "invalid_blocks_format": Failure.BLOCKS_REFUSED,
    "msg_too_long": Failure.BLOCKS_REFUSED,
    "msg_blocks_too_long": Failure.BLOCKS_REFUSED,
    "invalid_attachments": Failure.BLOCKS_REFUSED,
    "too_many_attachments": Failure.BLOCKS_REFUSED,
    "invalid_metadata_format": Failure.BLOCKS_REFUSED,
    "invalid_metadata_schema": Failure.BLOCKS_REFUSED,
    "metadata_too_large": Failure.BLOCKS_REFUSED,
    "channel_not_found": Failure.UNREACHABLE,
    "not_in_channel": Failure.UNREACHABLE,
    "is_archived": Failure.UNREACHABLE,
    "restricted_action": Failure.UNREACHABLE,
    "restricted_action_read_only_channel": Failure.UNREACHABLE,
    "restricted_action_thread_only_channel": Failure.UNREACHABLE,
    "restricted_action_non_threadable_channel": Failure.UNREACHABLE,
    "team_access_not_granted": Failure.UNREACHABLE,
    "ekm_access_denied": Failure.UNREACHABLE,
    "message_not_found": Failure.PERMANENT,
    "cant_update_message": Failure.PERMANENT,
    "edit_window_closed": Failure.PERMANENT,
    "thread_not_found": Failure.PERMANENT,
    "no_text": Failure.PERMANENT,
    "user_not_found": Failure.PERMANENT,
    "cannot_dm_bot": Failure.PERMANENT,
    "invalid_arguments": Failure.PERMANENT,
}


def from_slack_error(exc: SlackApiError) -> Outcome:
    response = exc.response
    error = str(response.get("error") or "unknown_error")
    status = int(getattr(response, "status_code", 200) or 200)
    if status == 429 or _BY_ERROR.get(error) is Failure.RATE_LIMITED:
        return Outcome(Failure.RATE_LIMITED, error, retry_after=_retry_after(response.headers))
    if status >= 500:
        return Outcome(Failure.TRANSIENT, f"HTTP {status}: {error}", maybe_posted=True)
    failure = _BY_ERROR.get(error, Failure.UNKNOWN)
    return Outcome(failure, error, maybe_posted=failure is Failure.TRANSIENT)


def from_connection_error(exc: BaseException) -> Outcome:
    """Refused before sending: not posted. Timed out or cut off after sending: maybe posted."""
    never_sent = isinstance(exc, aiohttp.ClientConnectorError)
    return Outcome(Failure.TRANSIENT, f"connection: {exc!r}", maybe_posted=not never_sent)


def classify(exc: BaseException) -> Outcome | None:
    """None for an exception that is not about reaching Slack (a bug, a bad payload)."""
    if isinstance(exc, SlackApiError):
        return from_slack_error(exc)
    if isinstance(exc, aiohttp.ClientError | TimeoutError):
        return from_connection_error(exc)
    return None


def _retry_after(headers: Any) -> float:
    raw = None
    if isinstance(headers, Mapping):
        raw = headers.get("Retry-After", headers.get("retry-after"))
    try:
        seconds = float(raw) if raw is not None else DEFAULT_RETRY_AFTER_SECONDS
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER_SECONDS
    return seconds if seconds >= 0 else DEFAULT_RETRY_AFTER_SECONDS
