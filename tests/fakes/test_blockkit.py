from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fakes import blockkit
from tests.fakes.blockkit import validate_blocks, validate_view
from tests.fakes.slack import FakeSlack

Json = dict[str, Any]


def plain(text: str) -> Json:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> Json:
    return {"type": "mrkdwn", "text": text}


def section(text: str = "hi", **fields: Any) -> Json:
    return {"type": "section", "text": mrkdwn(text), **fields}


def button(**fields: Any) -> Json:
    return {"type": "button", "text": plain("Go"), "action_id": "go", **fields}


def actions(*elements: Json) -> Json:
    return {"type": "actions", "elements": list(elements)}


def option(text: str = "One", value: str = "1") -> Json:
    return {"text": plain(text), "value": value}


def select(**fields: Any) -> Json:
    return {
        "type": "static_select",
        "action_id": "pick",
        "placeholder": plain("Pick"),
        **({"options": [option()]} if "option_groups" not in fields else {}),
        **fields,
    }


def text_input(**fields: Any) -> Json:
    return {"type": "plain_text_input", "action_id": "typed", **fields}


def input_block(element: Json | None = None, **fields: Any) -> Json:
    block = {"type": "input", "label": plain("Label"), "element": element or text_input()}
    return {**block, **fields}


def confirm(**fields: Any) -> Json:
    dialog = {"title": plain("Sure?"), "text": plain("Really"), "confirm": plain("Yes")}
    return {**dialog, "deny": plain("No"), **fields}


def modal(**fields: Any) -> Json:
    return {"type": "modal", "title": plain("Start"), "blocks": [section()], **fields}


def in_message(block: Json) -> list[str]:
    return validate_blocks([block])


def in_view(view: Json) -> list[str]:
    return validate_view(view)


def options(count: int) -> list[Json]:
    return [option(f"Option {i}", str(i)) for i in range(count)]


# Each case builds a payload whose measured part is `size` long, checks it, and names where
# Slack points when the size is one over the limit.
Case = tuple[Callable[[int], list[str]], int, str]
LIMITS: dict[str, Case] = {
    "blocks per message": (
        lambda n: validate_blocks([{"type": "divider"}] * n),
        50,
        "/blocks",
    ),
    "blocks per modal": (
        lambda n: in_view(modal(blocks=[{"type": "divider"}] * n)),
        100,
        "/view/blocks",
    ),
    "blocks per home tab": (
        lambda n: in_view({"type": "home", "blocks": [{"type": "divider"}] * n}),
        100,
        "/view/blocks",
    ),
    "section text": (lambda n: in_message(section("x" * n)), 3000, "/blocks/0/text/text"),
    "section fields": (
        lambda n: in_message({"type": "section", "fields": [mrkdwn("f")] * n}),
        10,
        "/blocks/0/fields",
    ),
    "section field text": (
        lambda n: in_message({"type": "section", "fields": [mrkdwn("x" * n)]}),
        2000,
        "/blocks/0/fields/0/text",
    ),
    "header text": (
        lambda n: in_message({"type": "header", "text": plain("x" * n)}),
        150,
        "/blocks/0/text/text",
    ),
    "context elements": (
        lambda n: in_message({"type": "context", "elements": [mrkdwn("c")] * n}),
        10,
        "/blocks/0/elements",
    ),
    "context text": (
        lambda n: in_message({"type": "context", "elements": [mrkdwn("x" * n)]}),
        3000,
        "/blocks/0/elements/0/text",
    ),
    "actions elements": (
        lambda n: in_message(actions(*[button(action_id=f"b{i}") for i in range(n)])),
        25,
        "/blocks/0/elements",
    ),
    "button text": (
        lambda n: in_message(actions(button(text=plain("x" * n)))),
        75,
        "/blocks/0/elements/0/text/text",
    ),
    "button value": (
        lambda n: in_message(actions(button(value="x" * n))),
        2000,
        "/blocks/0/elements/0/value",
    ),
    "button url": (
        lambda n: in_message(actions(button(url="https://x.test/" + "x" * (n - 15)))),
        3000,
        "/blocks/0/elements/0/url",
    ),
    "action_id": (
        lambda n: in_message(actions(button(action_id="a" * n))),
        255,
        "/blocks/0/elements/0/action_id",
    ),
    "block_id": (lambda n: in_message(section(block_id="b" * n)), 255, "/blocks/0/block_id"),
    "option text": (
        lambda n: in_message(actions(select(options=[option("x" * n)]))),
        75,
        "/blocks/0/elements/0/options/0/text/text",
    ),
    "option value": (
        lambda n: in_message(actions(select(options=[option(value="v" * n)]))),
        150,
        "/blocks/0/elements/0/options/0/value",
    ),
    "options per select": (
        lambda n: in_message(actions(select(options=options(n)))),
        100,
        "/blocks/0/elements/0/options",
    ),
    "option groups per select": (
        lambda n: in_message(
            actions(select(option_groups=[{"label": plain("G"), "options": options(1)}] * n))
        ),
        100,
        "/blocks/0/elements/0/option_groups",
    ),
    "options per group": (
        lambda n: in_message(
            actions(select(option_groups=[{"label": plain("G"), "options": options(n)}]))
        ),
        100,
        "/blocks/0/elements/0/option_groups/0/options",
    ),
    "option group label": (
        lambda n: in_message(
            actions(select(option_groups=[{"label": plain("x" * n), "options": options(1)}]))
        ),
        75,
        "/blocks/0/elements/0/option_groups/0/label/text",
    ),
    "overflow options": (
        lambda n: in_message(
            actions({"type": "overflow", "action_id": "more", "options": options(n)})
        ),
        5,
        "/blocks/0/elements/0/options",
    ),
    "placeholder": (
        lambda n: in_message(actions(select(placeholder=plain("x" * n)))),
        150,
        "/blocks/0/elements/0/placeholder/text",
    ),
    "text input max_length": (
        lambda n: in_view(
            modal(blocks=[input_block(text_input(max_length=n))], submit=plain("Go"))
        ),
        3000,
        "/view/blocks/0/element/max_length",
    ),
    "text input initial_value under max_length": (
        lambda n: in_view(
            modal(
                blocks=[input_block(text_input(max_length=20, initial_value="x" * n))],
                submit=plain("Go"),
            )
        ),
        20,
        "/view/blocks/0/element/initial_value",
    ),
    "input label": (
        lambda n: in_message(input_block(label=plain("x" * n))),
        2000,
        "/blocks/0/label/text",
    ),
    "input hint": (
        lambda n: in_message(input_block(hint=plain("x" * n))),
        2000,
        "/blocks/0/hint/text",
    ),
    "confirm title": (
        lambda n: in_message(actions(button(confirm=confirm(title=plain("x" * n))))),
        100,
        "/blocks/0/elements/0/confirm/title/text",
    ),
    "confirm text": (
        lambda n: in_message(actions(button(confirm=confirm(text=plain("x" * n))))),
        300,
        "/blocks/0/elements/0/confirm/text/text",
    ),
    "confirm button": (
        lambda n: in_message(actions(button(confirm=confirm(confirm=plain("x" * n))))),
        30,
        "/blocks/0/elements/0/confirm/confirm/text",
    ),
    "deny button": (
        lambda n: in_message(actions(button(confirm=confirm(deny=plain("x" * n))))),
        30,
        "/blocks/0/elements/0/confirm/deny/text",
    ),
    "modal title": (lambda n: in_view(modal(title=plain("x" * n))), 24, "/view/title/text"),
    "modal submit": (lambda n: in_view(modal(submit=plain("x" * n))), 24, "/view/submit/text"),
    "modal close": (lambda n: in_view(modal(close=plain("x" * n))), 24, "/view/close/text"),
    "callback_id": (lambda n: in_view(modal(callback_id="c" * n)), 255, "/view/callback_id"),
    "private_metadata": (
        lambda n: in_view(modal(private_metadata="m" * n)),
        3000,
        "/view/private_metadata",
    ),
    "external_id": (lambda n: in_view(modal(external_id="e" * n)), 255, "/view/external_id"),
}


@pytest.mark.parametrize("name", LIMITS)
def test_just_under_the_limit_passes(name: str) -> None:
    check, limit, _ = LIMITS[name]

    assert check(limit) == []


@pytest.mark.parametrize("name", LIMITS)
def test_just_over_the_limit_fails_where_slack_points(name: str) -> None:
    check, limit, pointer = LIMITS[name]

    errors = check(limit + 1)

    assert any(error.endswith(f"[json-pointer:{pointer}]") for error in errors), errors


def test_length_errors_read_like_slack() -> None:
    assert in_view(modal(title=plain("x" * 25))) == [
        "must be less than 25 characters [json-pointer:/view/title/text]"
    ]
    assert in_message(section("x" * 3001)) == [
        "must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
    ]


@pytest.mark.parametrize(
    ("block", "pointer"),
    [
        ({"type": "header", "text": mrkdwn("Title")}, "/blocks/0/text/type"),
        (actions(button(text=mrkdwn("Go"))), "/blocks/0/elements/0/text/type"),
        (input_block(label=mrkdwn("Label")), "/blocks/0/label/type"),
        (input_block(hint=mrkdwn("Hint")), "/blocks/0/hint/type"),
        (actions(select(placeholder=mrkdwn("Pick"))), "/blocks/0/elements/0/placeholder/type"),
        (
            actions(select(options=[{"text": mrkdwn("a"), "value": "a"}])),
            "/blocks/0/elements/0/options/0/text/type",
        ),
        (
            actions(button(confirm=confirm(title=mrkdwn("t")))),
            "/blocks/0/elements/0/confirm/title/type",
        ),
        ({"type": "section", "text": {"type": "markdown", "text": "x"}}, "/blocks/0/text/type"),
    ],
)
def test_plain_text_only_fields_refuse_other_types(block: Json, pointer: str) -> None:
    errors = in_message(block)

    assert any(error.endswith(f"[json-pointer:{pointer}]") for error in errors), errors


def test_modal_title_must_be_plain_text() -> None:
    errors = in_view(modal(title=mrkdwn("Start")))

    assert errors == [
        "unsupported type: mrkdwn; expected plain_text [json-pointer:/view/title/type]"
    ]


@pytest.mark.parametrize(
    "block",
    [
        section(""),
        {"type": "header", "text": plain("")},
        actions(button(text=plain(""))),
        {"type": "context", "elements": [mrkdwn("")]},
    ],
)
def test_empty_text_is_refused(block: Json) -> None:
    assert any("must be more than 0 characters" in error for error in in_message(block))


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ({"type": "fancy"}, "unsupported type: fancy [json-pointer:/blocks/0/type]"),
        ("section", "must provide an object [json-pointer:/blocks/0]"),
        ({"type": "section"}, "must define either `text` or `fields` [json-pointer:/blocks/0]"),
        ({"type": "header"}, "missing required field: text [json-pointer:/blocks/0]"),
        (
            {"type": "input", "label": plain("L")},
            "missing required field: element [json-pointer:/blocks/0]",
        ),
        ({"type": "actions"}, "missing required field: elements [json-pointer:/blocks/0]"),
        (actions(), "must provide at least 1 items [json-pointer:/blocks/0/elements]"),
        (
            actions(text_input()),
            "unsupported type: plain_text_input [json-pointer:/blocks/0/elements/0/type]",
        ),
        (input_block(button()), "unsupported type: button [json-pointer:/blocks/0/element/type]"),
        (
            {"type": "section", "text": plain("x") | {"verbatim": True}},
            "invalid additional property: verbatim [json-pointer:/blocks/0/text]",
        ),
        (
            {"type": "section", "text": mrkdwn("x") | {"emoji": True}},
            "invalid additional property: emoji [json-pointer:/blocks/0/text]",
        ),
        (section(colour="red"), "invalid additional property: colour [json-pointer:/blocks/0]"),
        (
            actions(button(style="green")),
            "must be one of primary, danger [json-pointer:/blocks/0/elements/0/style]",
        ),
        (
            section("a\ud800b"),
            "must be valid Unicode (unpaired surrogate) [json-pointer:/blocks/0/text/text]",
        ),
        (
            actions(select(options=[option() | {"url": "https://x.test"}])),
            "invalid additional property: url [json-pointer:/blocks/0/elements/0/options/0]",
        ),
        (
            actions(
                select(
                    option_groups=[{"label": plain("G"), "options": options(1)}], options=options(1)
                )
            ),
            "must provide exactly one of options or option_groups "
            "[json-pointer:/blocks/0/elements/0]",
        ),
        (
            actions(select(initial_option=option("Other", "9"))),
            "must match one of the options [json-pointer:/blocks/0/elements/0/initial_option]",
        ),
        (
            input_block(text_input(min_length=10, max_length=5)),
            "min_length must not be more than max_length "
            "[json-pointer:/blocks/0/element/min_length]",
        ),
        (
            input_block(text_input(max_length=0)),
            "must be between 1 and 3000 [json-pointer:/blocks/0/element/max_length]",
        ),
        (
            actions(button(action_id="same"), button(action_id="same")),
            "action_id must be unique within the block: same "
            "[json-pointer:/blocks/0/elements/1/action_id]",
        ),
    ],
)
def test_malformed_blocks_are_refused(block: Any, expected: str) -> None:
    assert expected in in_message(block)


def test_block_ids_must_be_unique_within_a_payload() -> None:
    errors = validate_blocks([section(block_id="same"), {"type": "divider", "block_id": "same"}])

    assert errors == ["duplicate block_id: same [json-pointer:/blocks/1/block_id]"]


def test_a_modal_with_an_input_needs_a_submit_button() -> None:
    assert in_view(modal(blocks=[input_block()])) == [
        "missing required field: submit [json-pointer:/view]"
    ]
    assert in_view(modal(blocks=[input_block()], submit=plain("Start"))) == []


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        (None, "unsupported type: None [json-pointer:/view/type]"),
        ({"type": "dialog"}, "unsupported type: dialog [json-pointer:/view/type]"),
        ({"type": "modal", "blocks": []}, "missing required field: title [json-pointer:/view]"),
        ({"type": "home"}, "missing required field: blocks [json-pointer:/view]"),
        (
            {"type": "home", "blocks": [], "title": plain("t")},
            "invalid additional property: title [json-pointer:/view]",
        ),
    ],
)
def test_malformed_views_are_refused(view: Any, expected: str) -> None:
    assert expected in in_view(view)


def test_a_full_message_and_modal_pass() -> None:
    blocks = [
        {
            "type": "header",
            "text": plain(
                "Conversation",
            )
            | {"emoji": True},
        },
        section("*Persona:* Anna", block_id="facts", accessory=button(url="https://x.test")),
        {"type": "section", "fields": [mrkdwn("*A*"), plain("B")]},
        {
            "type": "context",
            "elements": [
                mrkdwn("ctx"),
                {"type": "image", "image_url": "https://x.test/i.png", "alt_text": "i"},
            ],
        },
        {"type": "divider"},
        actions(
            button(style="danger", value="c1", confirm=confirm(style="danger")),
            select(action_id="s", initial_option=option()),
        ),
    ]
    view = modal(
        blocks=[
            input_block(
                text_input(multiline=True, max_length=500, initial_value="hi"),
                block_id="in",
                optional=True,
            ),
            input_block(
                {"type": "external_select", "action_id": "persona", "min_query_length": 0},
                block_id="ext",
            ),
        ],
        submit=plain("Start"),
        close=plain("Cancel"),
        callback_id="start",
        private_metadata="C1",
    )

    assert validate_blocks(blocks) == []
    assert validate_view(view) == []
    blockkit.assert_valid_message("fallback", blocks)
    blockkit.assert_valid_view(view)


def test_a_multi_external_select_is_checked_as_slack_checks_it() -> None:
    def multi(**fields: Any) -> dict[str, Any]:
        element = {"type": "multi_external_select", "action_id": "docs", **fields}
        return modal(blocks=[input_block(element, block_id="docs")], submit=plain("Go"))

    chosen = {"text": plain("Doc"), "value": "d1"}
    assert validate_view(multi(initial_options=[chosen], max_selected_items=3)) == []
    assert validate_view(multi(min_query_length=0, initial_options=[])) == []
    (too_few,) = validate_view(multi(max_selected_items=0))
    assert "max_selected_items" in too_few
    not_a_list = validate_view(multi(initial_options=chosen))
    assert any("must provide an array" in error for error in not_a_list)
    assert validate_view(multi(initial_options=[{"text": plain("Doc")}]))
    # Only the multi-select takes them.
    single = {"type": "external_select", "action_id": "d", "max_selected_items": 2}
    assert validate_view(modal(blocks=[input_block(single, block_id="d")], submit=plain("Go")))


def test_assert_helpers_fail_with_slacks_reasons() -> None:
    with pytest.raises(AssertionError, match=r"must be less than 151 characters"):
        blockkit.assert_valid_message("t", [{"type": "header", "text": plain("x" * 151)}])
    with pytest.raises(AssertionError, match="msg_blocks_too_long"):
        blockkit.assert_valid_message("t", [section("x" * 3000)] * 5)
    with pytest.raises(AssertionError, match=r"/view/title/text"):
        blockkit.assert_valid_view(modal(title=plain("x" * 30)))


def test_blocks_text_length_counts_every_text() -> None:
    blocks = [section("abc", accessory=button()), {"type": "context", "elements": [mrkdwn("de")]}]

    assert blockkit.blocks_text_length(blocks) == len("abc") + len("Go") + len("de")


# -- the fake Slack answers as Slack does ----------------------------------------------------


@pytest.fixture
def client(slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=slack.token, base_url=slack.api_url)


async def test_post_message_with_invalid_blocks_is_refused(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C1", text="t", blocks=[section("x" * 3001)])

    answer = raised.value.response
    assert answer["error"] == "invalid_blocks"
    assert answer["response_metadata"]["messages"] == [
        "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
    ]
    assert answer["errors"] == [
        "must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
    ]
    assert slack.messages() == []
    assert slack.calls_to("chat.postMessage")[0].error == "invalid_blocks"
    (rejection,) = slack.rejected
    assert rejection.method == "chat.postMessage"
    assert rejection.errors == answer["errors"]


async def test_ephemeral_and_update_are_checked_too(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(channel="C1", text="v1", blocks=[section("ok")])
    bad = [{"type": "header", "text": plain("x" * 151)}]

    with pytest.raises(SlackApiError, match="invalid_blocks"):
        await client.chat_postEphemeral(channel="C1", user="U1", text="t", blocks=bad)
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        await client.chat_update(channel="C1", ts=posted["ts"], text="v2", blocks=bad)

    assert slack.messages()[0]["blocks"] == [section("ok")]
    assert [r.method for r in slack.rejected] == ["chat.postEphemeral", "chat.update"]


async def test_blocks_that_are_not_an_array_are_a_format_error(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    with pytest.raises(SlackApiError) as raised:
        await client.api_call("chat.postMessage", json={"channel": "C1", "blocks": section()})

    assert raised.value.response["error"] == "invalid_blocks_format"


async def test_update_text_over_4000_characters_is_too_long(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(channel="C1", text="v1")

    await client.chat_update(channel="C1", ts=posted["ts"], text="x" * 4000)
    with pytest.raises(SlackApiError, match="msg_too_long"):
        await client.chat_update(channel="C1", ts=posted["ts"], text="x" * 4001)

    assert slack.messages()[0]["text"] == "x" * 4000


async def test_post_text_over_40000_characters_is_truncated_with_a_warning(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    exact = await client.chat_postMessage(channel="C1", text="x" * 40_000)
    longer = await client.chat_postMessage(channel="C1", text="y" * 40_001)

    assert "response_metadata" not in exact.data
    assert longer["response_metadata"]["warnings"] == ["message_truncated"]
    assert longer["message"]["text"] == "y" * 40_000
    assert [len(m["text"]) for m in slack.messages()] == [40_000, 40_000]
    assert slack.calls_to("chat.postMessage")[1].args["text"] == "y" * 40_001
    slack.assert_nothing_rejected()


async def test_too_much_text_across_blocks_is_refused(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    await client.chat_postMessage(channel="C1", text="t", blocks=[section("x" * 3000)] * 4)

    with pytest.raises(SlackApiError, match="msg_blocks_too_long"):
        await client.chat_postMessage(channel="C1", text="t", blocks=[section("x" * 3000)] * 5)

    assert len(slack.messages()) == 1


@pytest.mark.parametrize("method", ["views_open", "views_push"])
async def test_opening_an_invalid_view_is_invalid_arguments(
    slack: FakeSlack, client: AsyncWebClient, method: str
) -> None:
    with pytest.raises(SlackApiError) as raised:
        await getattr(client, method)(trigger_id="tr.1", view=modal(title=plain("x" * 25)))

    answer = raised.value.response
    assert answer["error"] == "invalid_arguments"
    assert answer["response_metadata"]["messages"] == [
        "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"
    ]
    assert slack.rejected[0].errors == [
        "must be less than 25 characters [json-pointer:/view/title/text]"
    ]


async def test_update_and_publish_check_their_views(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    opened = await client.views_open(trigger_id="tr.1", view=modal())

    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.views_update(view_id=opened["view"]["id"], view=modal(blocks=[input_block()]))
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.views_publish(user_id="U1", view={"type": "home", "blocks": [section()] * 101})

    assert [r.method for r in slack.rejected] == ["views.update", "views.publish"]
    with pytest.raises(AssertionError, match="views.update refused with invalid_arguments"):
        slack.assert_nothing_rejected()


async def test_response_url_refuses_invalid_blocks_like_a_webhook(slack: FakeSlack) -> None:
    webhook = AsyncWebhookClient(slack.response_url)

    refused = await webhook.send(text="t", blocks=[section("")])
    accepted = await webhook.send(text="t", blocks=[section("fine")])

    assert (refused.status_code, refused.body) == (400, "invalid_blocks")
    assert (accepted.status_code, accepted.body) == (200, "ok")
    assert [r["blocks"] for r in slack.responses] == [[section("fine")]]
    assert [(r.method, r.error) for r in slack.rejected] == [("response_url", "invalid_blocks")]


async def test_response_url_truncates_long_text(slack: FakeSlack) -> None:
    response = await AsyncWebhookClient(slack.response_url).send(text="z" * 40_001)

    assert response.status_code == 200
    assert slack.responses[0]["text"] == "z" * 40_000


async def test_waiting_for_a_refused_response_says_why(slack: FakeSlack) -> None:
    await AsyncWebhookClient(slack.response_url).send(text="t", blocks=[{"type": "fancy"}])

    with pytest.raises(AssertionError, match="unsupported type: fancy"):
        await slack.wait_for_response(timeout=0.05)


async def test_nothing_rejected_passes_when_all_was_valid(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    await client.chat_postMessage(channel="C1", text="t", blocks=[section()])
    await client.views_publish(user_id="U1", view={"type": "home", "blocks": [section()]})

    slack.assert_nothing_rejected()
    assert slack.rejected == []
