"""App Home: what a user's tab shows, read from the store, and publishing it.

``bot.home_refresh`` decides when a tab is published again."""

from __future__ import annotations

from bot.blocks.home import SHELF_LIMIT, SHELVES, TEAM_LIMIT, HomeContent, TeamView, home_view
from bot.domain import conversations as conversation_domain
from bot.services import Services

_FETCH_FACTOR = 4  # read a few more than a shelf shows: some are filtered out


async def home_content(
    services: Services,
    *,
    team_id: str,
    user_id: str,
    notice: str | None = None,
) -> HomeContent:
    shelves = []
    for shelf in SHELVES:
        found = await services.store.list_resources(
            kind=shelf.kind,
            owner_user_id=user_id,
            team_id=team_id,
            finished=False if shelf.unfinished_only else None,
            limit=SHELF_LIMIT * _FETCH_FACTOR,
        )
        shelves.append([r for r in found if shelf.keeps(r)][:SHELF_LIMIT])
    has_history = any(shelves) or bool(
        await services.store.list_resources(owner_user_id=user_id, team_id=team_id, limit=1)
    )
    admin = await services.access.is_admin(user_id)
    return HomeContent(
        user_id=user_id,
        shelves=shelves,
        has_history=has_history,
        team=await _team(services, team_id) if admin else None,
        notice=notice,
    )


async def _team(services: Services, team_id: str) -> TeamView:
    calls = await services.store.list_resources(
        kind=conversation_domain.KIND, team_id=team_id, finished=False, limit=TEAM_LIMIT * 4
    )
    live = [c for c in calls if c.status not in conversation_domain.TAVUS_OVER][:TEAM_LIMIT]
    return TeamView(live_calls=live, running=await services.store.count_unfinished(team_id=team_id))


async def publish_home(
    services: Services,
    *,
    team_id: str,
    user_id: str,
    notice: str | None = None,
) -> None:
    content = await home_content(services, team_id=team_id, user_id=user_id, notice=notice)
    await services.slack.views_publish(user_id=user_id, view=home_view(content))
