"""Every Tavus noun `/tavus` understands, the words for it, and the shape of its ids.

Ids are recognised by shape (``c...`` conversation, ``p...`` persona, hex videos, UUID
documents): always at least one digit, so that an ordinary word ("cafe", "reface") is never
mistaken for an id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def _prefixed(prefix: str) -> str:
    return rf"{prefix}(?=[0-9a-f]*[0-9])[0-9a-f]{{4,32}}"


@dataclass(frozen=True)
class Noun:
    kind: str
    words: tuple[str, ...]  # singular first
    id_shape: re.Pattern[str]
    id_example: str

    @property
    def plural(self) -> str:
        return self.words[1] if len(self.words) > 1 else self.kind + "s"

    def is_id(self, word: str) -> bool:
        return bool(self.id_shape.fullmatch(word))


def _noun(kind: str, words: tuple[str, ...], shape: str, example: str) -> Noun:
    return Noun(kind, words, re.compile(shape), example)


NOUNS: tuple[Noun, ...] = (
    _noun(
        "conversation",
        ("conversation", "conversations"),
        _prefixed("c"),
        "c123456",
    ),
    _noun("video", ("video", "videos"), r"(?=[0-9a-f]*[0-9])[0-9a-f]{6,32}", "8a4f94e736"),
    _noun("replica", ("replica", "replicas"), _prefixed("r"), "r90bbd427f71"),
    _noun("lipsync", ("lipsync", "lipsyncs"), _prefixed("w"), "wf85407a7ba9d"),
    _noun("persona", ("persona", "personas"), _prefixed("p"), "pcb7a34da5fe"),
    _noun(
        "document",
        ("document", "documents", "doc", "docs"),
        # `d8-5c71baca86fc` in the spec's examples; `d1234567890` and UUIDs in older ones.
        rf"{_prefixed('d')}|d[0-9]{{1,4}}-[0-9a-f]{{6,32}}|{_UUID}",
        "d8-5c71baca86fc",
    ),
    _noun("objective", ("objective", "objectives"), _prefixed("o"), "o12345"),
    _noun("guardrail", ("guardrail", "guardrails"), rf"{_prefixed('g')}|{_UUID}", "g12345"),
    _noun("dictionary", ("dictionary", "dictionaries"), r"pd_[0-9a-z]{4,40}", "pd_abc123def456gh"),
)
BY_WORD: dict[str, Noun] = {word: noun for noun in NOUNS for word in noun.words}
BY_KIND: dict[str, Noun] = {noun.kind: noun for noun in NOUNS}


def looks_like(kind: str, word: str) -> bool:
    return BY_KIND[kind].is_id(word)
