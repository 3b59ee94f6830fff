"""``/tavus dictionary new|edit``: the form, checked line by line before Tavus sees it.

An edit opens a "loading" form at once (a trigger lasts 3 s; Tavus may take longer), then
fills it with the dictionary's rules, when saving them unchanged would keep them; else the
form says why they are not in it, and renames only. Saving sends only what the user changed:
the name alone when only the name changed; the rules (Tavus replaces them whole) only when
they changed, and only if they did not change in Tavus since the form opened. Each rule's
settings the lines do not show (case sensitivity, whole words) are kept from the rule with
the same word. A dictionary made here is stored as its creator's, so that only they (or
an admin) may edit, rename or delete it; it has no card, nothing to poll and no callbacks.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks import dictionary_modal as modal
from bot.blocks.dictionaries import saved_text
from bot.blocks.start_modal import failed_view
from bot.blocks.text import as_text, escape, truncate
from bot.domain import dictionaries as domain
from bot.events.base import fingerprint
from bot.services import Services
from bot.tavus import Patched, PronunciationDictionary, PronunciationRule, TavusError
from bot.tavus.models import PronunciationRuleSpec
from handlers.dictionaries.manage import forget_picker
from handlers.shared.families import CommandRequest
from handlers.shared.permissions import refusal
from handlers.shared.starting import team_of

logger = logging.getLogger(__name__)

KIND = domain.KIND
View = dict[str, Any]
MAYBE_CREATED = (
    "Tavus did not answer in time, so the dictionary may exist anyway: check "
    "`/tavus dictionaries` before trying again."
)


async def handle_new(request: CommandRequest) -> None:
    """`/tavus dictionary new [name]`: the form, with the name when one was given."""
    name = truncate(request.command.text.strip(), domain.NAME_MAX) or None
    view = modal.dictionary_modal(name=name)
    await request.services.slack.views_open(trigger_id=request.trigger_id, view=view)


async def handle_edit(request: CommandRequest) -> None:
    slack = request.services.slack
    opened = await slack.views_open(trigger_id=request.trigger_id, view=modal.loading_view())
    view = await edit_view(request.services, request.command.words[0], request.user_id)
    await slack.views_update(view_id=str(opened["view"]["id"]), view=view)


async def edit_view(services: Services, dictionary_id: str, user_id: str) -> View:
    """The form filled in, or why there is none."""
    refused = await refusal(
        services, kind=KIND, tavus_id=dictionary_id, user_id=user_id, verb="edit"
    )
    if refused:
        return modal.result_view(modal.TITLE_EDIT, f":no_entry: {refused}")
    try:
        dictionary = await services.tavus.dictionaries.get(dictionary_id)
    except TavusError as exc:
        return failed_view(exc.user_message)
    rules = _as_rules(dictionary.rules)
    text = domain.rules_text(rules)
    problem = _rules_problem(rules, text)
    opened = modal.Opened(
        version=rules_version(dictionary),
        name=fingerprint(modal.shown_name(dictionary.name)),
        rules=None if problem else rules_print(rules),
    )
    return modal.dictionary_modal(
        name=dictionary.name,
        rules=None if problem else text,
        dictionary_id=dictionary_id,
        opened=opened,
        rules_left_out=problem,
    )


def _rules_problem(rules: Sequence[domain.Rule], text: str) -> str | None:
    """Why the form cannot show the rules so that saving them unchanged keeps them."""
    if len(text) > domain.RULES_FIELD_MAX:
        return (
            f"its {len(rules)} rules take {len(text):,} characters, more than a Slack form "
            f"holds ({domain.RULES_FIELD_MAX:,})"
        )
    if as_text(text) != text:
        return "a rule holds text Slack cannot show"
    return domain.rules_problem(rules)


def _as_rules(rules: Iterable[PronunciationRule]) -> list[domain.Rule]:
    return [domain.Rule(rule.text, rule.pronunciation, rule.type) for rule in rules]


def rules_print(rules: Sequence[domain.Rule]) -> str:
    """A fingerprint of rules as the form holds them: equal when the user changed none."""
    return fingerprint([[rule.text, rule.pronunciation, rule.type] for rule in rules])


def rules_version(dictionary: PronunciationDictionary) -> str:
    """A fingerprint of the rules as Tavus has them, settings and all."""
    return fingerprint(dictionary.raw.get("rules"))


# -- the submission --------------------------------------------------------------------------


def check(form: modal.DictionaryForm) -> tuple[dict[str, str], list[domain.Rule]]:
    """Field errors keyed by block_id (none: the rules, parsed; none when the form did not
    hold them)."""
    errors: dict[str, str] = {}
    if form.name is None:
        errors[modal.B_NAME] = "Give the dictionary a name."
    elif len(form.name) > domain.NAME_MAX:
        errors[modal.B_NAME] = f"Keep the name under {domain.NAME_MAX} characters."
    rules: list[domain.Rule] = []
    if form.has_rules:
        try:
            rules = domain.parse_rules(form.rules)
        except domain.RulesError as exc:
            errors[modal.B_RULES] = str(exc)
    return errors, rules


async def handle_dictionary_submission(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    services: Services,
) -> None:
    form = modal.read_dictionary_form(view["state"]["values"], view.get("private_metadata"))
    errors, rules = check(form)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    title = modal.TITLE_EDIT if form.dictionary_id else modal.TITLE_NEW
    await ack(response_action="update", view=modal.saving_view(title))
    user_id = body["user"]["id"]
    try:
        if form.dictionary_id is None:
            text = await create(services, form, rules, team_id=team_of(body), user_id=user_id)
        else:
            text = await save(services, form.dictionary_id, form, rules, user_id=user_id)
    except TavusError as exc:
        text = (
            f":warning: {MAYBE_CREATED if _maybe_created(exc, form) else escape(exc.user_message)}"
        )
    await client.views_update(view_id=view["id"], view=modal.result_view(title, text))


def _maybe_created(exc: TavusError, form: modal.DictionaryForm) -> bool:
    return exc.outcome_unknown and form.dictionary_id is None


async def create(
    services: Services,
    form: modal.DictionaryForm,
    rules: Sequence[domain.Rule],
    *,
    team_id: str,
    user_id: str,
) -> str:
    assert form.name is not None
    dictionary = await services.tavus.dictionaries.create(name=form.name, rules=rule_specs(rules))
    resource = await services.store.create_resource(
        kind=KIND,
        tavus_id=dictionary.dictionary_id,
        team_id=team_id,
        owner_user_id=user_id,
        name=dictionary.name or form.name,
    )
    await services.store.update_resource(resource_id=resource.id, finished=True)
    forget_picker(services)
    logger.info("user %s created dictionary %s", user_id, dictionary.dictionary_id)
    count = len(dictionary.rules) or dictionary.rules_count or len(rules)
    return saved_text(dictionary.name or form.name, dictionary.dictionary_id, count, created=True)


def expired_words(dictionary_id: str) -> str:
    return (
        f"This form is out of date, so nothing was sent: run "
        f"`/tavus dictionary edit {escape(dictionary_id)}` again."
    )


def changed_words(dictionary_id: str) -> str:
    return (
        f"Its rules changed in Tavus since you opened this form, so nothing was sent. Run "
        f"`/tavus dictionary edit {escape(dictionary_id)}` again to see them as they are now."
    )


async def save(
    services: Services,
    dictionary_id: str,
    form: modal.DictionaryForm,
    rules: Sequence[domain.Rule],
    *,
    user_id: str,
) -> str:
    """The owner's or an admin's edit, in one JSON Patch: the name if it changed, and the
    rules if they changed (and did not change in Tavus meanwhile)."""
    refused = await refusal(
        services, kind=KIND, tavus_id=dictionary_id, user_id=user_id, verb="edit"
    )
    if refused:
        return f":no_entry: {refused}"
    opened = form.opened
    if opened is None:
        return f":warning: {expired_words(dictionary_id)}"
    renamed = fingerprint(form.name) != opened.name
    new_rules = form.has_rules and rules_print(rules) != opened.rules
    if not renamed and not new_rules:
        return ":ok_hand: Nothing changed: you changed neither the name nor the rules."
    current = await services.tavus.dictionaries.get(dictionary_id)
    if new_rules and rules_version(current) != opened.version:
        return f":warning: {changed_words(dictionary_id)}"
    specs = rule_specs(rules, kept=current.rules) if new_rules else None
    name = form.name if renamed else None
    patched = await services.tavus.dictionaries.update(dictionary_id, name=name, rules=specs)
    if patched is Patched.NOT_MODIFIED:
        return ":ok_hand: Nothing changed: Tavus already had these rules."
    forget_picker(services)
    resource = await services.store.get_resource(kind=KIND, tavus_id=dictionary_id)
    if resource is not None and renamed:
        await services.store.update_resource(resource_id=resource.id, name=form.name)
    logger.info("user %s edited dictionary %s", user_id, dictionary_id)
    count = len(rules) if new_rules else len(current.rules)
    return saved_text(form.name, dictionary_id, count, created=False)


def rule_specs(
    rules: Iterable[domain.Rule], kept: Iterable[PronunciationRule] = ()
) -> list[PronunciationRuleSpec]:
    """The rules as Tavus takes them, each with the settings of the rule it replaces."""
    before = {rule.text: rule for rule in kept}
    specs: list[PronunciationRuleSpec] = []
    for rule in rules:
        spec: PronunciationRuleSpec = {
            "text": rule.text,
            "pronunciation": rule.pronunciation,
            "type": "ipa" if rule.type == domain.IPA else "alias",
        }
        old = before.get(rule.text)
        if old is not None and old.case_sensitive is not None:
            spec["case_sensitive"] = old.case_sensitive
        if old is not None and old.word_boundaries is not None:
            spec["word_boundaries"] = old.word_boundaries
        specs.append(spec)
    return specs
