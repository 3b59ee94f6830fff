"""Who may do what: admins, members and guests.

Admins are the users listed in ``TAVUS_SLACK_ADMINS`` plus the workspace's own admins and
owners; guests (Slack's restricted and ultra-restricted users) may only look. Slack's view of a
user (``users.info``) is kept for a few minutes, so a command does not wait on Slack for it
twice, and a role change in Slack reaches the app within that time.

When Slack cannot answer just then (rate limited, down), the last role it gave is used, however
old; for someone it never described, acting waits until it can (``Role.UNVERIFIED``): a guest
must not start a billed call because ``users.info`` had a bad minute. Only when the token
cannot ask at all (no ``users:read``, which ``tavus-slack check`` reports) is everyone a member.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from storage import Resource

logger = logging.getLogger(__name__)

ROLE_TTL_SECONDS = 300.0
MAX_CACHED = 10_000


class Role(enum.Enum):
    ADMIN = "admin"
    MEMBER = "member"
    GUEST = "guest"
    UNVERIFIED = "unverified"  # Slack could not say just now: may look, not act


GUEST_REFUSAL = (
    "Guests can look at Tavus resources (`/tavus help`, `list` and `show`), but starting or "
    "changing anything takes a member of this workspace."
)
UNVERIFIED_REFUSAL = (
    "Slack could not confirm your account just now (it was slow or rate limited), and starting "
    "or changing anything needs that. Try again in a minute."
)
# users.info errors that will not go away by asking again: the token cannot ask at all.
_CANNOT_ASK = frozenset({"missing_scope", "not_allowed_token_type", "no_permission"})


@dataclass(frozen=True)
class _Known:
    role: Role
    at: float


class Access:
    def __init__(
        self,
        *,
        slack: AsyncWebClient,
        admins: frozenset[str],
        ttl: float = ROLE_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._slack = slack
        self._admins = admins
        self._ttl = ttl
        self._clock = clock
        self._known: dict[str, _Known] = {}

    async def role(self, user_id: str) -> Role:
        if user_id in self._admins:
            return Role.ADMIN
        known = self._known.get(user_id)
        if known is not None and self._clock() - known.at < self._ttl:
            return known.role
        role = await self._ask_slack(user_id)
        if role is None:  # Slack could not say just now: the last word it gave, if any
            return known.role if known is not None else Role.UNVERIFIED
        if len(self._known) >= MAX_CACHED:
            self._known.clear()
        self._known[user_id] = _Known(role, self._clock())
        return role

    async def refusal_to_act(self, user_id: str) -> str | None:
        """Why this person may only look (a guest, or not confirmed by Slack); None: may act."""
        role = await self.role(user_id)
        if role is Role.GUEST:
            return GUEST_REFUSAL
        if role is Role.UNVERIFIED:
            return UNVERIFIED_REFUSAL
        return None

    async def is_admin(self, user_id: str) -> bool:
        return await self.role(user_id) is Role.ADMIN

    async def may_modify(self, resource: Resource | None, user_id: str) -> bool:
        """Owners and admins may end, edit or delete; what we never recorded is admin-only."""
        if resource is not None and resource.owner_user_id == user_id:
            return await self.role(user_id) in (Role.MEMBER, Role.ADMIN)
        return await self.is_admin(user_id)

    async def _ask_slack(self, user_id: str) -> Role | None:
        """The role Slack gives, or None when it could not answer this time."""
        try:
            response = await self._slack.users_info(user=user_id)
        except SlackApiError as exc:
            error = exc.response.get("error")
            logger.warning("users.info for %s failed: %s", user_id, error)
            # Without users:read nobody is promoted (only TAVUS_SLACK_ADMINS are admins) and
            # nobody is taken for a guest.
            return Role.MEMBER if error in _CANNOT_ASK else None
        except (OSError, TimeoutError) as exc:
            logger.warning("users.info for %s failed: %r", user_id, exc)
            return None
        user = response.get("user") or {}
        if user.get("is_restricted") or user.get("is_ultra_restricted"):
            return Role.GUEST
        if user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"):
            return Role.ADMIN
        return Role.MEMBER
