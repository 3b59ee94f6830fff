"""Pronunciation dictionaries from Slack: the form (new and edit), list, show, delete."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.blocks import dictionary_modal as modal
from bot.blocks.listing import DELETE_ACTION
from tests.fakes.blockkit import assert_valid_message, assert_valid_view
from tests.fakes.signing import USER_ID, block_action_payload, view_submission_payload
from tests.fakes.slack import FakeSlack
from tests.harness import ADMIN_ID, Harness, Sandbox, app_world

RULES = "Tavus -> TAH-vus\n\nCVI -> /siː viː aɪ/\n"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Harness, Sandbox]]:
    async with app_world(tmp_path) as (h, sandbox):
        yield h, sandbox


def form(name: str | None, rules: str | None) -> dict[str, Any]:
    return {
        modal.B_NAME: {modal.B_NAME: {"type": "plain_text_input", "value": name}},
        modal.B_RULES: {modal.B_RULES: {"type": "plain_text_input", "value": rules}},
    }


async def submit(
    running: Harness, values: dict[str, Any], *, metadata: str = "", user_id: str = USER_ID
) -> tuple[dict[str, Any], str]:
    """The ack's answer, and the id of the view it answered."""
    opened = await running.app.services.slack.views_open(
        trigger_id="tr.1", view=modal.dictionary_modal()
    )
    view_id = str(opened["view"]["id"])
    payload = view_submission_payload(
        modal.CALLBACK_ID,
        values=values,
        private_metadata=metadata,
        view_id=view_id,
        user_id=user_id,
    )
    return (await running.interact(payload)).json(), view_id


async def final_view(slack: FakeSlack, view_id: str) -> dict[str, Any]:
    (update,) = await slack.wait_for(
        "views.update", predicate=lambda c: c.args.get("view_id") == view_id
    )
    view: dict[str, Any] = update.args["view"]
    assert_valid_view(view)
    return view


async def create(running: Harness, sandbox: Sandbox) -> str:
    answer, view_id = await submit(running, form("Brand terms", RULES))
    assert answer["response_action"] == "update"
    await final_view(running.slack, view_id)
    (dictionary_id,) = sandbox.state.dictionaries
    return dictionary_id


async def test_new_opens_the_form_with_the_name_given(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world

    await running.command("dictionary new Brand terms")

    (opened,) = await running.slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == modal.CALLBACK_ID
    assert view["blocks"][0]["element"]["initial_value"] == "Brand terms"
    assert_valid_view(view)
    assert sandbox.state.dictionaries == {}


@pytest.mark.parametrize(
    ("name", "rules", "block", "words"),
    [
        (None, RULES, modal.B_NAME, "Give the dictionary a name"),
        ("Terms", "Tavus TAH-vus", modal.B_RULES, "Line 1 needs an arrow"),
        ("Terms", "Tavus ->", modal.B_RULES, "Line 1 needs a word before"),
        ("Terms", " -> TAH-vus", modal.B_RULES, "Line 1 needs a word before"),
        ("Terms", "Tavus -> a\nCVI -> b\nTavus -> c", modal.B_RULES, "Line 3 repeats 'Tavus'"),
        ("Terms", "x" * 201 + " -> y", modal.B_RULES, "over 200 characters"),
        ("Terms", "x -> " + "y" * 501, modal.B_RULES, "over 500 characters"),
    ],
)
async def test_the_form_refuses_bad_rules_inline(
    world: tuple[Harness, Sandbox], name: str | None, rules: str, block: str, words: str
) -> None:
    running, sandbox = world

    answer, _ = await submit(running, form(name, rules))

    assert answer["response_action"] == "errors"
    assert words in answer["errors"][block]
    assert sandbox.state.dictionaries == {}


async def test_a_dictionary_made_in_slack_is_its_creators(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world

    answer, view_id = await submit(running, form("Brand terms", RULES))

    assert answer["response_action"] == "update"
    done = await final_view(running.slack, view_id)
    (dictionary,) = sandbox.state.dictionaries.values()
    assert dictionary["name"] == "Brand terms"
    assert [(r["text"], r["pronunciation"], r["type"]) for r in dictionary["rules"]] == [
        ("Tavus", "TAH-vus", "alias"),
        ("CVI", "siː viː aɪ", "ipa"),
    ]
    assert "Created *Brand terms*" in json.dumps(done) and "2 rules" in json.dumps(done)
    stored = await running.app.services.store.get_resource(
        kind="dictionary", tavus_id=dictionary["pronunciation_dictionary_id"]
    )
    assert stored is not None and stored.owner_user_id == USER_ID and stored.finished


async def test_list_and_show(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    dictionary_id = await create(running, sandbox)

    await running.command("dictionaries")
    await running.command(f"dictionary show {dictionary_id}")

    listed, shown = await running.slack.wait_for_response(count=2)
    assert dictionary_id in json.dumps(listed["blocks"]) and "2 rules" in listed[
        "text"
    ] + json.dumps(listed["blocks"])
    assert "*Tavus* → TAH-vus" in json.dumps(shown["blocks"], ensure_ascii=False)
    assert "*CVI* → /siː viː aɪ/" in json.dumps(shown["blocks"], ensure_ascii=False)
    assert_valid_message(shown["text"], shown["blocks"])
    running.slack.assert_nothing_rejected()


async def test_edit_fills_the_form_then_replaces_the_rules_keeping_their_settings(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    dictionary_id = await create(running, sandbox)
    sandbox.state.dictionaries[dictionary_id]["rules"][0]["case_sensitive"] = True

    await running.command(f"dictionary edit {dictionary_id}")

    update = (await running.slack.wait_for("views.update", count=2))[-1]
    view = update.args["view"]
    assert view["callback_id"] == modal.CALLBACK_ID
    assert view["blocks"][1]["element"]["initial_value"] == "Tavus -> TAH-vus\nCVI -> /siː viː aɪ/"
    metadata = view["private_metadata"]
    answer, view_id = await submit(
        running, form("Brand words", "Tavus -> TAV-us\nPAL -> pal"), metadata=metadata
    )
    assert answer["response_action"] == "update"
    done = await final_view(running.slack, view_id)
    assert "Saved *Brand words*" in json.dumps(done)
    dictionary = sandbox.state.dictionaries[dictionary_id]
    assert dictionary["name"] == "Brand words"
    assert [(r["text"], r["pronunciation"], r["case_sensitive"]) for r in dictionary["rules"]] == [
        ("Tavus", "TAV-us", True),
        ("PAL", "pal", False),
    ]


async def test_only_the_creator_or_an_admin_may_edit_or_delete(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    dictionary_id = await create(running, sandbox)

    await running.command(f"dictionary edit {dictionary_id}", user_id="U999")
    await running.command(f"dictionary delete {dictionary_id}", user_id="U999")

    updates = await running.slack.wait_for("views.update", count=2)
    assert f"Only <@{USER_ID}>" in json.dumps(updates[-1].args["view"])
    (refused,) = await running.slack.wait_for_response()
    assert f"Only <@{USER_ID}> (who started it) or an admin can delete" in refused["text"]
    metadata = json.dumps({"id": dictionary_id})
    _, view_id = await submit(
        running, form("Mine now", "a -> b"), metadata=metadata, user_id="U999"
    )
    assert f"Only <@{USER_ID}>" in json.dumps(await final_view(running.slack, view_id))
    assert sandbox.state.dictionaries[dictionary_id]["name"] == "Brand terms"


async def test_delete_asks_then_deletes(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    dictionary_id = await create(running, sandbox)

    await running.command(f"dictionary delete {dictionary_id}")

    (ask,) = await running.slack.wait_for_response()
    value = next(e["value"] for b in ask["blocks"] if b["type"] == "actions" for e in b["elements"])
    click = block_action_payload(
        DELETE_ACTION, value=value, response_url=running.slack.response_url
    )
    await running.interact(click)
    await running.slack.wait_for_response(count=2)
    assert sandbox.state.dictionaries == {}
    running.slack.assert_nothing_rejected()


async def test_a_refused_create_says_why_in_the_form(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    sandbox.state.faults.fail("POST", "/v2/pronunciation-dictionaries", 402)

    _, view_id = await submit(running, form("Brand terms", RULES))

    shown = json.dumps(await final_view(running.slack, view_id))
    assert "Tavus says: Insufficient credits (402)" in shown
    assert sandbox.state.dictionaries == {}


async def test_a_create_whose_answer_is_lost_says_to_check_first(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    sandbox.state.faults.drop("POST", "/v2/pronunciation-dictionaries", after=True)

    _, view_id = await submit(running, form("Brand terms", RULES))

    shown = json.dumps(await final_view(running.slack, view_id))
    assert "may exist anyway" in shown and "/tavus dictionaries" in shown


async def test_rules_too_long_for_a_form_are_not_cut(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    rules = [{"text": f"word{n}", "pronunciation": "p" * 400, "type": "alias"} for n in range(10)]
    sandbox.state.dictionaries["pd_outside0001"] = {
        "pronunciation_dictionary_id": "pd_outside0001",
        "name": "Big",
        "rules": rules,
        "rules_count": 10,
    }

    await running.command("dictionary edit pd_outside0001", user_id=ADMIN_ID)

    update = (await running.slack.wait_for("views.update"))[-1]
    shown = json.dumps(update.args["view"])
    assert "more than a Slack form holds" in shown and modal.B_RULES not in shown


# -- an edit sends only what changed, and never rules it would rewrite -------------------------


def made_elsewhere(sandbox: Sandbox, rules: list[dict[str, Any]]) -> str:
    sandbox.state.dictionaries["pd_outside0002"] = {
        "pronunciation_dictionary_id": "pd_outside0002",
        "name": "Theirs",
        "rules": rules,
        "rules_count": len(rules),
    }
    return "pd_outside0002"


async def edit_form(running: Harness, dictionary_id: str) -> dict[str, Any]:
    before = len(running.slack.calls_to("views.update"))
    await running.command(f"dictionary edit {dictionary_id}", user_id=ADMIN_ID)
    view: dict[str, Any] = (await running.slack.wait_for("views.update", count=before + 1))[
        -1
    ].args["view"]
    assert_valid_view(view)
    return view


def shown_values(view: dict[str, Any], **typed: str) -> dict[str, Any]:
    """The form's inputs as submitted: their initial values, or what was ``typed``."""
    return {
        b["block_id"]: {
            b["block_id"]: {
                "type": "plain_text_input",
                "value": typed.get(b["block_id"], b["element"].get("initial_value")),
            }
        }
        for b in view["blocks"]
        if b["type"] == "input"
    }


def patches(sandbox: Sandbox) -> list[Any]:
    return [r.body for r in sandbox.state.requests if r.method == "PATCH"]


REVIEWED = [  # the review's repro: rules the old form rewrote when saved unchanged
    {"text": "C->D", "pronunciation": "see to dee", "type": "alias"},
    {"text": "and/or", "pronunciation": "/and or/", "type": "alias"},
    {"text": "TCP/IP", "pronunciation": "tee see pee eye pee", "type": "alias"},
]


async def test_rules_made_elsewhere_are_not_rewritten_by_saving_the_form(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    dictionary_id = made_elsewhere(sandbox, [dict(rule) for rule in REVIEWED])
    view = await edit_form(running, dictionary_id)
    rules = next(b for b in view["blocks"] if b.get("block_id") == modal.B_RULES)
    assert rules["element"]["initial_value"].splitlines()[:2] == [
        "C->D -> see to dee",
        "and/or -> \\/and or/",
    ]
    sandbox.state.requests.clear()

    _, unchanged = await submit(
        running, shown_values(view), metadata=view["private_metadata"], user_id=ADMIN_ID
    )
    assert "Nothing changed" in json.dumps(await final_view(running.slack, unchanged))
    _, renamed = await submit(
        running,
        shown_values(view, **{modal.B_NAME: "Networking"}),
        metadata=view["private_metadata"],
        user_id=ADMIN_ID,
    )

    assert "Saved *Networking*" in json.dumps(await final_view(running.slack, renamed))
    assert patches(sandbox) == [[{"op": "replace", "path": "/name", "value": "Networking"}]]
    stored = sandbox.state.dictionaries[dictionary_id]["rules"]
    assert [(r["text"], r["pronunciation"], r["type"]) for r in stored] == [
        (r["text"], r["pronunciation"], r["type"]) for r in REVIEWED
    ]


async def test_rules_that_cannot_be_lines_are_left_out_and_a_rename_still_works(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    odd = {"text": "x", "pronunciation": "a -> b", "type": "alias"}
    dictionary_id = made_elsewhere(sandbox, [odd])
    view = await edit_form(running, dictionary_id)
    shown = json.dumps(view)
    assert modal.B_RULES not in shown and "Rules* are not in this form" in shown
    assert "rule 1" in shown and "Saving changes only the name" in shown
    sandbox.state.requests.clear()

    _, view_id = await submit(
        running,
        shown_values(view, **{modal.B_NAME: "Renamed"}),
        metadata=view["private_metadata"],
        user_id=ADMIN_ID,
    )

    assert "Saved *Renamed*" in json.dumps(await final_view(running.slack, view_id))
    assert patches(sandbox) == [[{"op": "replace", "path": "/name", "value": "Renamed"}]]
    assert sandbox.state.dictionaries[dictionary_id]["rules"][0]["pronunciation"] == "a -> b"


async def test_rules_changed_in_tavus_since_the_form_opened_are_not_overwritten(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    dictionary_id = await create(running, sandbox)
    view = await edit_form(running, dictionary_id)
    sandbox.state.dictionaries[dictionary_id]["rules"][0]["pronunciation"] = "TAH-voos"
    sandbox.state.requests.clear()

    _, view_id = await submit(
        running,
        shown_values(view, **{modal.B_RULES: "Tavus -> TAV-us"}),
        metadata=view["private_metadata"],
    )

    said = json.dumps(await final_view(running.slack, view_id))
    assert "changed in Tavus since you opened this form" in said and "nothing was sent" in said
    assert patches(sandbox) == []
    assert sandbox.state.dictionaries[dictionary_id]["rules"][0]["pronunciation"] == "TAH-voos"
