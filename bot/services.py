"""The long-lived objects every listener and worker shares, passed in rather than imported."""

from __future__ import annotations

from dataclasses import dataclass, field

from slack_sdk.web.async_client import AsyncWebClient

from bot.access import Access
from bot.choices import ChoiceCache
from bot.config import Settings
from bot.home_refresh import HomeRefresher
from bot.notifier import Notifier
from bot.tavus import TavusClient
from storage import Store


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: Store
    tavus: TavusClient
    slack: AsyncWebClient
    notifier: Notifier
    # Names for type-ahead pickers, kept a few seconds (Slack asks at every keystroke).
    choices: ChoiceCache = field(default_factory=ChoiceCache)
    # Who is an admin or a guest (TAVUS_SLACK_ADMINS, then Slack's users.info).
    access: Access = field(init=False)
    # The home tabs opened here, republished when what they show changes.
    homes: HomeRefresher = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "access", Access(slack=self.slack, admins=self.settings.admins))
        object.__setattr__(self, "homes", HomeRefresher(self.store))
