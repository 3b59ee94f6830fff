"""The form that creates or edits a set (objectives, guardrails): `new`, `edit`, "Add one
more", and its submission, for any family described by a ``SetForm`` row.

The form is checked whole before Tavus hears of it; a problem comes back inline under its
field. An edit is checked against the set as Tavus has it now, which must be the version the
form opened on (``bot.sets``), and sends only what the user changed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, Protocol, TypeVar

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import sets
from bot.blocks import set_modal
from bot.blocks.set_modal import Setup, Values, loading_view, not_saved_view
from bot.domain.nouns import BY_KIND
from bot.jobs import JobStarted
from bot.services import Services
from bot.sets import Edited, SetChanged, Slot
from bot.tavus import TavusError
from handlers.shared.deletion import ask_delete
from handlers.shared.families import CommandRequest, Deletion, Family, Listing, Route
from handlers.shared.listing import handle_list
from handlers.shared.permissions import refusal
from handlers.shared.starting import run_in_modal, team_of
from handlers.shared.submitting import Errors, Send, View, first_input, submit_edit

logger = logging.getLogger(__name__)

D = TypeVar("D")  # a member as the form gives it, checked (the family's draft)
T = TypeVar("T")  # the form as typed (``read``) or as an edit shows a set (``shown``)


class TavusSet(Protocol):
    @property
    def raw(self) -> dict[str, Any]: ...


S = TypeVar("S", bound=TavusSet)


@dataclass(frozen=True)
class Checked(Generic[D]):
    """A form that passed its checks: the members to send, each with its place in the form,
    and the set's name where the family names its sets."""

    slots: list[Slot[D]]
    name: str | None = None


@dataclass(frozen=True)
class Origin:
    """Who submitted a new set's form, and where a callback goes when its call is not ours."""

    team_id: str
    user_id: str
    channel_id: str | None


@dataclass(frozen=True)
class SetForm(Generic[S, T, D]):
    """One family's row: everything the flow below does not know of it."""

    kind: str
    most: int  # members the form holds
    callback_id: str
    add_action: str
    get: Callable[[Services, str], Awaitable[S]]
    set_id: Callable[[S], str]
    members: Callable[[S], Sequence[object]]
    draw: Callable[[Setup, T | None], View]  # the form, blank or holding what was typed
    read: Callable[[Values, int], T]  # a submitted (or redrawn) form, ``count`` members long
    shown: Callable[[S], T]  # what the edit form shows of a set
    # The form's problems by block id (never an empty dict), or what to send; None: a new set.
    check: Callable[[T, S | None], Checked[D] | Errors]
    create: Callable[[Services, Origin, Checked[D]], Awaitable[JobStarted]]
    edit: Callable[[Services, S, Checked[D], str], Awaitable[Edited]]  # raises SetChanged
    created_view: Callable[[str, Checked[D], bool], View]  # id, what was sent, relayed

    @property
    def plural(self) -> str:
        return BY_KIND[self.kind].plural

    def setup(self, metadata: object) -> Setup:
        return Setup.parse(metadata, most=self.most)


async def handle_new(form: SetForm[S, T, D], request: CommandRequest) -> None:
    view = form.draw(Setup(channel_id=request.channel_id or None), None)
    await request.services.slack.views_open(trigger_id=request.trigger_id, view=view)


async def handle_edit(form: SetForm[S, T, D], request: CommandRequest) -> None:
    """The form, filled with the set as Tavus has it (the owner or an admin only)."""
    services, set_id = request.services, request.command.words[0]
    refused = await refusal(
        services, kind=form.kind, tavus_id=set_id, user_id=request.user_id, verb="edit"
    )
    if refused:
        await request.say_privately(refused)
        return
    # Slack's trigger lasts three seconds: the form opens at once and fills when Tavus answers.
    opened = await services.slack.views_open(
        trigger_id=request.trigger_id, view=loading_view(f"Edit {form.plural}")
    )
    view_id = str(opened["view"]["id"])
    try:
        found = await form.get(services, set_id)
    except TavusError as exc:
        await services.slack.views_update(view_id=view_id, view=not_saved_view(exc.user_message))
        return
    members = form.members(found)
    if len(members) > form.most:
        reason = f"This set has over {form.most} {form.plural}, more than the form holds."
        await services.slack.views_update(view_id=view_id, view=not_saved_view(reason))
        return
    setup = Setup(
        channel_id=request.channel_id or None,
        count=max(len(members), 1),
        editing=set_id,
        growable=sets.shape_of(found.raw) == sets.LIST_SHAPE,
        version=sets.version(found.raw),
    )
    await services.slack.views_update(view_id=view_id, view=form.draw(setup, form.shown(found)))


async def handle_add(
    form: SetForm[S, T, D], ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient
) -> None:
    """ "Add one": the same form, one member longer, what was typed kept."""
    await ack()
    view = body.get("view") or {}
    setup = form.setup(view.get("private_metadata"))
    if not setup.growable:
        return
    typed = form.read((view.get("state") or {}).get("values") or {}, setup.count)
    grown = form.draw(setup.grown(form.most), typed)
    try:
        await client.views_update(view_id=view.get("id"), hash=view.get("hash"), view=grown)
    except SlackApiError as exc:  # submitted or closed meanwhile: nothing left to grow
        logger.info("could not grow the %s form: %s", form.kind, exc.response.get("error"))


async def handle_submission(
    form: SetForm[S, T, D],
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    services: Services,
) -> None:
    setup = form.setup(view.get("private_metadata"))
    typed = form.read(view["state"]["values"], setup.count)
    user_id = str(body["user"]["id"])
    if setup.editing is not None:
        await _submit_edit(form, ack, view, client, services, setup, typed, user_id)
        return
    checked = form.check(typed, None)
    if isinstance(checked, dict):
        await ack(response_action="errors", errors=checked)
        return
    await ack(response_action="update", view=set_modal.creating_view(form.plural))
    origin = Origin(team_id=team_of(body), user_id=user_id, channel_id=setup.channel_id)
    relayed = services.settings.public_url is not None
    await run_in_modal(
        client,
        str(view["id"]),
        kind=form.kind,
        start=lambda: form.create(services, origin, checked),
        services=services,
        done=lambda started, _: form.created_view(str(started.resource.tavus_id), checked, relayed),
    )


def changed_words(form: SetForm[S, T, D], set_id: str) -> str:
    return (
        f"{form.plural.capitalize()} {set_id} changed in Tavus since you opened this form, so "
        f"nothing was sent. Close it and run /tavus {form.kind} edit {set_id} again to see "
        "them as they are now."
    )


def expired_words(form: SetForm[S, T, D], set_id: str) -> str:
    return (
        f"This form is out of date, so nothing was sent: close it and run "
        f"/tavus {form.kind} edit {set_id} again."
    )


async def _submit_edit(
    form: SetForm[S, T, D],
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    services: Services,
    setup: Setup,
    typed: T,
    user_id: str,
) -> None:
    set_id, opened = str(setup.editing), setup.version

    def prepare(found: S) -> Errors | Send:
        if opened is None or sets.version(found.raw) != opened:
            words = expired_words if opened is None else changed_words
            return {first_input(view): words(form, set_id)}
        checked = form.check(typed, found)
        if isinstance(checked, dict):
            return checked
        return lambda: _save(form, services, found, checked, user_id, opened)

    await submit_edit(
        ack,
        client,
        view,
        read=form.get(services, set_id),
        prepare=prepare,
        saving=set_modal.saving_view(form.plural),
        failed=not_saved_view,
    )


async def _save(
    form: SetForm[S, T, D],
    services: Services,
    found: S,
    checked: Checked[D],
    user_id: str,
    opened: str,
) -> View:
    set_id = form.set_id(found)
    refused = await refusal(services, kind=form.kind, tavus_id=set_id, user_id=user_id, verb="edit")
    if refused:
        return not_saved_view(refused, escaped=True)
    try:
        edited = await form.edit(services, found, checked, opened)
    except SetChanged:
        return not_saved_view(changed_words(form, set_id))
    except (TavusError, ValueError) as exc:
        return not_saved_view(exc.user_message if isinstance(exc, TavusError) else str(exc))
    logger.info("user %s edited %s %s", user_id, form.plural, set_id)
    return set_modal.saved_view(form.plural, set_id, edited.changes)


def family(
    form: SetForm[Any, Any, Any], *, show: Route, listing: Listing, deletion: Deletion
) -> Family:
    """The family of a kind whose sets are made and edited with ``form``."""
    return Family(
        kind=form.kind,
        verbs={
            "list": handle_list,
            "show": show,
            "new": partial(handle_new, form),
            "edit": partial(handle_edit, form),
            "delete": ask_delete,
        },
        listing=listing,
        deletion=deletion,
        register=partial(register, form=form),
    )


def register(app: AsyncApp, form: SetForm[Any, Any, Any]) -> None:
    """The form's submission and its "Add one" button, as Bolt listeners (Bolt reads the
    arguments a partial still takes, and passes those)."""
    app.view(form.callback_id)(partial(handle_submission, form))
    app.action(form.add_action)(partial(handle_add, form))
