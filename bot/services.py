"""The long-lived objects every listener and worker shares, passed in rather than imported."""

from __future__ import annotations

from dataclasses import dataclass, field

from slack_sdk.web.async_client import AsyncWebClient

from bot.choices import ChoiceCache
from bot.config import Settings
from bot.notifier import Notifier
from bot.tavus import TavusClient
from storage import Resource, Store


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: Store
    tavus: TavusClient
    slack: AsyncWebClient
    notifier: Notifier
    # Names for type-ahead pickers, kept a few seconds (Slack asks at every keystroke).
    choices: ChoiceCache = field(default_factory=ChoiceCache)

    def is_admin(self, user_id: str) -> bool:
        return user_id in self.settings.admins

    def may_modify(self, resource: Resource | None, user_id: str) -> bool:
        """Owners and admins may end, edit or delete; what we never recorded is admin-only."""
        if self.is_admin(user_id):
            return True
        return resource is not None and resource.owner_user_id == user_id
