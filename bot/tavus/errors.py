"""One error tree for every Tavus failure; handlers catch these, never httpx's."""

from __future__ import annotations

import math
from typing import Any

__all__ = [
    "BadRequest",
    "Conflict",
    "DocumentBusy",
    "NotFound",
    "PaymentRequired",
    "RateLimited",
    "RecrawlCooldown",
    "ServerError",
    "TavusConnectionError",
    "TavusError",
    "TavusStatusError",
    "Unauthorized",
    "status_error",
]


class TavusError(Exception):
    """Base class for everything this client raises about Tavus."""

    @property
    def user_message(self) -> str:
        return "Something went wrong talking to Tavus."

    @property
    def outcome_unknown(self) -> bool:
        """Tavus may have done what it was asked: a create must not simply be repeated."""
        return False


class TavusConnectionError(TavusError):
    """Tavus could not be reached: DNS, refused connection, timeout, broken stream."""

    def __init__(self, reason: str = "network error", *, maybe_sent: bool = False) -> None:
        super().__init__(f"Could not reach Tavus: {reason}")
        self.reason = reason
        # A timeout or a dropped connection after the request left: Tavus may have acted.
        self.maybe_sent = maybe_sent

    @property
    def user_message(self) -> str:
        return (
            f"Could not reach Tavus ({self.reason}): Tavus may be having trouble. "
            "Try again in a minute."
        )

    @property
    def outcome_unknown(self) -> bool:
        return self.maybe_sent


class TavusStatusError(TavusError):
    """Tavus answered with an error status."""

    def __init__(
        self,
        status_code: int,
        message: str,
        body: Any = None,
        *,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{status_code}: {message}")
        self.status_code = status_code
        self.message = message
        self.body = body
        self.retry_after = retry_after

    @property
    def hint(self) -> str:
        """What the user can do about it; empty when Tavus's own message is all there is."""
        return ""

    @property
    def user_message(self) -> str:
        text = f"Tavus says: {self.message.rstrip('. ')} ({self.status_code})"
        return f"{text}. {self.hint}" if self.hint else text


class BadRequest(TavusStatusError):
    """400 or 422: Tavus rejected the request (often an unknown id)."""


class Unauthorized(TavusStatusError):
    """401 (the key is wrong or revoked) or 403 (the key may not do this)."""

    @property
    def hint(self) -> str:
        if self.status_code == 403:
            return (
                "Tavus refused this app's API key for this request: ask whoever set up "
                "Tavus for Slack to check that TAVUS_API_KEY belongs to the right Tavus account."
            )
        return (
            "Tavus did not accept this app's API key (wrong or revoked): ask whoever set up "
            "Tavus for Slack to check TAVUS_API_KEY."
        )


class PaymentRequired(TavusStatusError):
    @property
    def hint(self) -> str:
        return (
            "The Tavus account is out of credits: whoever manages it can add credits on the "
            "Billing page of the Tavus Developer Portal (https://platform.tavus.io)."
        )


class NotFound(TavusStatusError):
    pass


class Conflict(TavusStatusError):
    """409: the resource is in a state that refuses the request."""


class DocumentBusy(Conflict):
    """409 on a recrawl: the document is still being crawled or processed."""

    @property
    def user_message(self) -> str:
        return "This document is already being crawled; recrawl it once it is ready."


class RateLimited(TavusStatusError):
    @property
    def hint(self) -> str:
        return f"Tavus is rate limiting this app: wait {_wait(self.retry_after)} and try again."


class RecrawlCooldown(RateLimited):
    """429 on a recrawl: Tavus allows one recrawl of a document per hour."""

    @property
    def user_message(self) -> str:
        return "This document was recrawled less than an hour ago; wait an hour between recrawls."


class ServerError(TavusStatusError):
    @property
    def hint(self) -> str:
        return "Tavus is having trouble; try again in a minute."

    @property
    def outcome_unknown(self) -> bool:
        # A gateway error or timeout says nothing about whether Tavus acted behind it.
        return self.status_code in (502, 504)


def _wait(seconds: float | None) -> str:
    """How long to wait, in words: Tavus's Retry-After when it sent one."""
    if seconds is None or seconds <= 60:
        return "a minute"
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return f"about {minutes} minutes"
    return f"about {math.ceil(minutes / 60)} hours"


_BY_STATUS: dict[int, type[TavusStatusError]] = {
    400: BadRequest,
    401: Unauthorized,
    402: PaymentRequired,
    403: Unauthorized,
    404: NotFound,
    409: Conflict,
    422: BadRequest,
    429: RateLimited,
}


def status_error(
    status_code: int, message: str, body: Any = None, *, retry_after: float | None = None
) -> TavusStatusError:
    """Map an error status to the matching exception class."""
    cls = _BY_STATUS.get(status_code)
    if cls is None:
        cls = ServerError if status_code >= 500 else TavusStatusError
    return cls(status_code, message, body, retry_after=retry_after)
