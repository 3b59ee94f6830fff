from __future__ import annotations

from bot.tavus import Conversation, ConversationEvent, Page, Persona, Replica


def test_conversation_ignores_unknown_fields_and_keeps_raw() -> None:
    data = {"conversation_id": "c1", "status": "active", "brand_new_field": {"x": 1}}
    conversation = Conversation.from_api(data)

    assert conversation.conversation_id == "c1"
    assert conversation.status == "active"
    assert conversation.conversation_url is None
    assert conversation.events == ()
    assert conversation.raw["brand_new_field"] == {"x": 1}
    assert "brand_new_field" not in repr(conversation)


def test_conversation_equality_ignores_raw() -> None:
    first = Conversation.from_api({"conversation_id": "c1", "extra": 1})
    second = Conversation.from_api({"conversation_id": "c1", "extra": 2})

    assert first == second


def test_verbose_conversation_parses_events_and_shutdown_reason() -> None:
    data = {
        "conversation_id": "c1",
        "status": "ended",
        "events": [
            {"event_type": "system.replica_joined", "timestamp": "2026-04-29T03:45:53Z"},
            {
                "event_type": "system.shutdown",
                "message_type": "system",
                "timestamp": "2026-04-29T03:47:01Z",
                "properties": {"reason": "participant_left_timeout"},
                "unknown": True,
            },
        ],
    }
    conversation = Conversation.from_api(data)

    assert [e.event_type for e in conversation.events] == [
        "system.replica_joined",
        "system.shutdown",
    ]
    assert conversation.events[0].properties == {}
    assert conversation.events[1] == ConversationEvent(
        event_type="system.shutdown",
        timestamp="2026-04-29T03:47:01Z",
        properties={"reason": "participant_left_timeout"},
        message_type="system",
    )
    assert conversation.shutdown_reason == "participant_left_timeout"


def test_top_level_shutdown_reason_wins() -> None:
    data = {"conversation_id": "c1", "shutdown_reason": "end_conversation_endpoint_hit"}

    assert Conversation.from_api(data).shutdown_reason == "end_conversation_endpoint_hit"


def test_persona_tolerates_missing_and_null_fields() -> None:
    persona = Persona.from_api(
        {"persona_id": "p1", "document_ids": None, "document_tags": ["sales"], "layers": {}}
    )

    assert persona.persona_name is None
    assert persona.document_ids == ()
    assert persona.document_tags == ("sales",)
    assert persona.raw["layers"] == {}


def test_replica_treats_ready_and_completed_alike() -> None:
    completed = Replica.from_api({"replica_id": "r1", "status": "completed", "extra": 1})
    training = Replica.from_api({"replica_id": "r2", "status": "started"})

    assert completed.is_ready
    assert Replica.from_api({"replica_id": "r1", "status": "ready"}).is_ready
    assert not training.is_ready
    assert completed.error_message is None


def test_page_has_more() -> None:
    def page(items: int, number: int, total: int) -> Page[int]:
        return Page(items=tuple(range(items)), total_count=total, page=number, limit=2)

    assert page(2, 1, 5).has_more
    assert not page(1, 3, 5).has_more
    assert not page(2, 2, 4).has_more
    assert not page(1, 1, 50).has_more


def test_page_from_api_without_total_count() -> None:
    result = Page.from_api({"data": [{"replica_id": "r1"}]}, Replica.from_api, page=1, limit=10)

    assert result.total_count == 1
    assert [r.replica_id for r in result.items] == ["r1"]
