"""Who may end, delete, rename or edit a resource: its owner (not a guest), or an admin."""

from __future__ import annotations

from bot.blocks.text import code
from bot.domain.nouns import BY_KIND
from bot.services import Services


async def refusal(
    services: Services, *, kind: str, tavus_id: str, user_id: str, verb: str
) -> str | None:
    """None when the user may act; otherwise the polite sentence saying who can."""
    resource = await services.store.get_resource(kind=kind, tavus_id=tavus_id)
    if await services.access.may_modify(resource, user_id):
        return None
    noun = BY_KIND[kind].kind
    if resource is None:
        return (
            f"Only an admin can {verb} {code(tavus_id)}: it was not started from Slack. "
            "Admins are this workspace's admins and owners, and the people in TAVUS_SLACK_ADMINS."
        )
    if resource.owner_user_id == user_id:  # the owner, but a guest now
        return f"Guests can only look at Tavus resources; ask a member or an admin to {verb} it."
    owner = f"<@{resource.owner_user_id}>"
    return f"Only {owner} (who started it) or an admin can {verb} this {noun}."
