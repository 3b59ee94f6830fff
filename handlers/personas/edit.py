"""`/tavus persona new|edit` and their modals: checked whole before Tavus hears anything.

An edit takes two submits. The form's changes and the JSON Patch typed under it are tried
on the persona as Tavus had it when the form opened (``bot.personas``): a refused path comes
back under the field, with a suggestion; otherwise the modal shows every change, whole, or
says to split an edit too long to show. Only "Apply" sends them, and only if the persona has
not changed in Tavus meanwhile.

No secret reaches Slack: the form and the preview are built from the persona redacted
(``edits.redact``), and what the modal carries (the persona's fingerprint, operations that
set a new key) is kept server-side whenever it could reveal one.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import personas as edits
from bot.blocks import persona_modal as modal
from bot.blocks import pickers
from bot.blocks.conversations import one_line, shown_id
from bot.blocks.personas import call_hint
from bot.blocks.text import as_text, escape, truncate
from bot.domain import personas as domain
from bot.domain.nouns import BY_KIND
from bot.services import Services
from bot.tavus import NotFound, Patched, TavusError
from handlers.personas import metadata
from handlers.personas.manage import names_for
from handlers.shared.families import CommandRequest
from handlers.shared.permissions import refusal
from handlers.shared.replies import say_privately
from handlers.shared.starting import team_of

logger = logging.getLogger(__name__)

View = dict[str, Any]
# Slack shows an inline error under its field: a sentence or two.
ERROR_MAX = 400
REASON_MAX = 2000
NOTHING_CHANGES = "Nothing would change: edit a field above, or give a JSON Patch here."
EXPIRED = "This form has expired: run `/tavus persona edit <id>` again."


def _view(title: str, text: str) -> View:
    return modal.message_view(title, text)


def _failed(title: str, reason: str) -> View:
    return _view(title, f":warning: {escape(truncate(as_text(reason).strip(), REASON_MAX))}")


def _forget_personas(services: Services) -> None:
    services.choices.forget(pickers.cache_key(pickers.PERSONA_PICKER))


# -- new -----------------------------------------------------------------------------------


async def handle_new(request: CommandRequest) -> None:
    await request.services.slack.views_open(
        trigger_id=request.trigger_id, view=modal.new_persona_modal()
    )


def form_errors(form: edits.Form, *, shown: edits.Form | None = None) -> dict[str, str]:
    """Inline errors keyed by block id; ``shown``: what an edit form held before."""
    before = shown or {}
    errors = {}
    if edits.NAME in form and not form[edits.NAME]:
        errors[modal.B_NAME] = "Give the persona a name."
    mode = form.get(edits.MODE) or before.get(edits.MODE) or domain.DEFAULT_PIPELINE_MODE
    # A prompt too long for the form is not in it, and stays as it is.
    prompt = form[edits.PROMPT] if edits.PROMPT in form else before.get(edits.PROMPT)
    if mode in domain.MODES_NEEDING_PROMPT and not prompt:
        block = modal.B_PROMPT if edits.PROMPT in form else modal.B_MODE
        errors[block] = f"In {mode} mode a persona needs a system prompt (echo mode does not)."
    return errors


async def handle_new_submission(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    services: Services,
) -> None:
    values = view["state"]["values"]
    form = modal.read_form(values)
    errors = {**form_errors(form), **pickers.unavailable_errors(values)}
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack(
        response_action="update",
        view=_view("New persona", ":hourglass_flowing_sand: Creating the persona…"),
    )
    result = await _guarded("creating a persona", lambda: _create(services, body, form))
    await client.views_update(view_id=view["id"], view=result)


async def _create(services: Services, body: dict[str, Any], form: edits.Form) -> View:
    try:
        persona = await services.tavus.personas.create(**edits.create_arguments(form))
    except TavusError as exc:
        if exc.outcome_unknown:
            return _failed(
                "Not sure it worked",
                "Tavus did not answer in time, so the persona may exist anyway. Check "
                "`/tavus personas user` before trying again.",
            )
        return _failed("Not created", exc.user_message)
    _forget_personas(services)
    await _remember(services, body, persona.persona_id, persona.persona_name)
    name = one_line(persona.persona_name or "Untitled persona")
    text = (
        f":white_check_mark: Created *{name}* {shown_id(persona.persona_id)}.\n"
        f"Start a call with it: {call_hint(persona.persona_id)}, or pick it in the start form."
    )
    return _view("Persona created", text)


async def _remember(services: Services, body: dict[str, Any], persona_id: str, name: Any) -> None:
    """Stored so its creator owns it (may edit and delete it); nothing to poll: finished."""
    stored = await services.store.create_resource(
        kind=domain.KIND,
        tavus_id=persona_id,
        team_id=team_of(body),
        owner_user_id=str(body["user"]["id"]),
        status=domain.CREATED,
        name=None if name is None else str(name),
    )
    await services.store.update_resource(resource_id=stored.id, finished=True)


# -- edit: open the form --------------------------------------------------------------------


async def handle_edit(request: CommandRequest) -> None:
    await open_editor(
        request.services,
        trigger_id=request.trigger_id,
        persona_id=request.command.words[0],
        user_id=request.user_id,
        team_id=request.team_id,
        tell=request.say_privately,
    )


async def handle_edit_button(
    ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, services: Services
) -> None:
    """ "Edit" under `/tavus persona show`: the same form."""
    await ack()
    persona_id = str(body["actions"][0].get("value") or "")
    if not BY_KIND[domain.KIND].is_id(persona_id):
        logger.warning("an Edit button carried %r", persona_id[:40])
        return

    async def tell(text: str) -> None:
        await say_privately(respond, text)

    await open_editor(
        services,
        trigger_id=str(body.get("trigger_id") or ""),
        persona_id=persona_id,
        user_id=str(body["user"]["id"]),
        team_id=team_of(body),
        tell=tell,
    )


async def open_editor(
    services: Services,
    *,
    trigger_id: str,
    persona_id: str,
    user_id: str,
    team_id: str,
    tell: Callable[[str], Awaitable[None]],
) -> None:
    """The owner's or an admin's: the form opens at once (Slack's trigger lasts three
    seconds) and fills in when Tavus has answered."""
    refused = await refusal(
        services, kind=domain.KIND, tavus_id=persona_id, user_id=user_id, verb="edit"
    )
    if refused:
        await tell(refused)
        return
    loading = _view("Edit persona", ":hourglass_flowing_sand: Reading the persona from Tavus…")
    opened = await services.slack.views_open(trigger_id=trigger_id, view=loading)
    view_id = str(opened["view"]["id"])
    view = await _guarded(
        "opening a persona's edit form",
        lambda: _editor(services, persona_id=persona_id, user_id=user_id, team_id=team_id),
    )
    await services.slack.views_update(view_id=view_id, view=view)


async def _editor(services: Services, *, persona_id: str, user_id: str, team_id: str) -> View:
    try:
        persona = await services.tavus.personas.get(persona_id)
    except NotFound:
        return _failed("Edit persona", f"Tavus has no persona {persona_id}.")
    except TavusError as exc:
        return _failed("Edit persona", exc.user_message)
    before = edits.redact(persona.raw)
    # "Apply" compares a fingerprint of the whole persona, secrets included, so a key changed
    # meanwhile is noticed too. It could be matched against guessed keys: kept here, then.
    private = edits.holds_secret(persona.raw)
    payload = {
        "persona_id": persona_id,
        "version": edits.version(persona.raw),
        "before": before,
        "private": private,
    }
    packed = await metadata.pack(
        services.store, team_id=team_id, user_id=user_id, payload=payload, keep=private
    )
    names = await names_for(services, persona)
    return modal.edit_persona_modal(before, names, private_metadata=packed)


# -- edit: the first submit, checked here, answered with the changes ------------------------


async def handle_edit_submission(ack: AsyncAck, body: dict[str, Any], services: Services) -> None:
    view = body["view"]
    who = _who(body)
    kept = await metadata.unpack(services.store, metadata=_metadata(view), **who) or {}
    before = kept.get("before")
    if not (isinstance(before, dict) and kept.get("persona_id") and kept.get("version")):
        await ack(response_action="update", view=_failed("Edit persona", EXPIRED))
        return
    checked = check_edit(before, view["state"]["values"])
    if not isinstance(checked, Edit):
        await ack(response_action="errors", errors=checked)
        return
    payload = {
        "persona_id": kept["persona_id"],
        "version": kept["version"],
        "operations": checked.operations,
    }
    keep = bool(kept.get("private")) or edits.operations_hold_secret(checked.operations)
    packed = await metadata.pack(services.store, payload=payload, keep=keep, **who)
    preview = _preview(checked, private_metadata=packed)
    await ack(response_action="update", view=preview)
    await metadata.release(services.store, metadata=_metadata(view), **who)


@dataclass(frozen=True)
class Edit:
    operations: list[Any]
    after: dict[str, Any]
    changes: list[edits.Change]


def _preview(edit: Edit, *, private_metadata: str) -> View:
    return modal.preview_view(
        edit.after,
        edit.changes,
        operations=len(edit.operations),
        private_metadata=private_metadata,
    )


def check_edit(before: dict[str, Any], values: modal.Values) -> Edit | dict[str, str]:
    """The operations, the persona they make and what changes; or inline errors by block.
    ``before`` is the persona redacted: the changes are too."""
    shown = edits.form_values(before)
    form = modal.read_form(values)
    errors = {**form_errors(form, shown=shown), **pickers.unavailable_errors(values)}
    if errors:
        return errors
    operations = edits.form_operations(before, shown, form)
    try:
        typed = modal.read_patch(values)
        operations += edits.parse_patch(typed) if typed else []
        after = edits.dry_run(before, operations)
    except edits.PatchRefused as exc:
        return {modal.B_PATCH: truncate(str(exc), ERROR_MAX)}
    problem = edits.persona_problem(after)
    if problem is not None:
        return {modal.B_PATCH: truncate(problem, ERROR_MAX)}
    changes = edits.changes(before, after)
    if not changes:
        return {modal.B_PATCH: NOTHING_CHANGES}
    edit = Edit(operations, after, changes)
    try:
        _preview(edit, private_metadata="")  # one that cannot show every change is refused
    except modal.PreviewTooLong as exc:
        return {modal.B_PATCH: truncate(str(exc), ERROR_MAX)}
    return edit


def _who(body: dict[str, Any]) -> dict[str, str]:
    return {"team_id": team_of(body), "user_id": str(body["user"]["id"])}


def _metadata(view: dict[str, Any]) -> str:
    return str(view.get("private_metadata") or "")


# -- edit: "Apply" --------------------------------------------------------------------------


async def handle_apply_submission(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    view = body["view"]
    who = _who(body)
    kept = await metadata.unpack(services.store, metadata=_metadata(view), **who)
    if kept is None or not isinstance(kept.get("operations"), list):
        await ack(response_action="update", view=_failed("Edit persona", EXPIRED))
        return
    await ack(
        response_action="update",
        view=_view("Edit persona", ":hourglass_flowing_sand: Sending the changes to Tavus…"),
    )
    user_id = who["user_id"]
    result = await _guarded("applying a persona edit", lambda: _apply(services, kept, user_id))
    await metadata.release(services.store, metadata=_metadata(view), **who)
    await client.views_update(view_id=view["id"], view=result)


async def _apply(services: Services, kept: dict[str, Any], user_id: str) -> View:
    persona_id = str(kept.get("persona_id") or "")
    refused = await refusal(
        services, kind=domain.KIND, tavus_id=persona_id, user_id=user_id, verb="edit"
    )
    if refused:
        return _view("Not changed", refused)
    try:
        current = await services.tavus.personas.get(persona_id)
        if edits.version(current.raw) != kept.get("version"):
            return _failed(
                "Not changed",
                f"{persona_id} changed in Tavus since you reviewed your changes, so nothing "
                f"was sent. Run /tavus persona edit {persona_id} again to see it as it is now.",
            )
        # Tried on the persona redacted, as the preview was: a refusal never quotes a secret.
        after = edits.dry_run(edits.redact(current.raw), kept["operations"])
        patched = await services.tavus.personas.patch(persona_id, kept["operations"])
    except (TavusError, edits.PatchRefused) as exc:
        reason = exc.user_message if isinstance(exc, TavusError) else str(exc)
        return _failed("Not changed", reason)
    if patched is Patched.NOT_MODIFIED:
        return _view("Nothing changed", "Tavus says these changes leave the persona as it was.")
    _forget_personas(services)
    await _rename_stored(services, persona_id, after.get("persona_name"))
    logger.info("user %s edited persona %s", user_id, persona_id)
    return _view(
        "Persona updated",
        f":white_check_mark: Updated {shown_id(persona_id)}. "
        f"See it with `/tavus persona show {escape(persona_id)}`.",
    )


async def _rename_stored(services: Services, persona_id: str, name: object) -> None:
    """The stored name follows the persona's (a persona made elsewhere is not stored)."""
    resource = await services.store.get_resource(kind=domain.KIND, tavus_id=persona_id)
    if resource is not None and isinstance(name, str) and name != resource.name:
        await services.store.update_resource(resource_id=resource.id, name=name)


async def handle_closed(ack: AsyncAck, body: dict[str, Any], services: Services) -> None:
    """A form or preview closed unsent: let go of what it kept."""
    await ack()
    await metadata.release(services.store, metadata=_metadata(body.get("view") or {}), **_who(body))


async def _guarded(what: str, work: Callable[[], Awaitable[View]]) -> View:
    """A view submission has no response_url: whatever happens, the modal says it."""
    try:
        return await work()
    except Exception:
        logger.exception("%s failed", what)
        return _failed("Something went wrong", "Something went wrong on our side; try again.")
