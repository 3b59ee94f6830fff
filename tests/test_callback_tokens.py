"""Callback tokens: the only credential a Tavus callback carries."""

from __future__ import annotations

from bot.callback_tokens import TOKEN_SHAPE, new_callback_token


def test_tokens_carry_256_random_bits_in_a_url_safe_shape() -> None:
    tokens = {new_callback_token() for _ in range(1000)}

    assert len(tokens) == 1000
    assert all(len(token) == 43 and TOKEN_SHAPE.match(token) for token in tokens)
    # Every position varies: nothing fixed, nothing counted.
    assert all(len({token[i] for token in tokens}) > 20 for i in range(42))
