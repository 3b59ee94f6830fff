"""Per-resource callback tokens: the only credential a Tavus callback carries."""

from __future__ import annotations

import re
import secrets

TOKEN_BYTES = 32  # 256 bits; the contract asks for at least 128
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{22,128}$")


def new_callback_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)
