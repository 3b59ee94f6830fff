from __future__ import annotations

import pytest

from bot.blocks.progress import progress_bar


@pytest.mark.parametrize(
    ("percent", "shown"),
    [
        (None, "in progress"),
        (0, "░░░░░░░░░░ 0%"),
        (40, "▓▓▓▓░░░░░░ 40%"),
        (100, "▓▓▓▓▓▓▓▓▓▓ 100%"),
        (250, "▓▓▓▓▓▓▓▓▓▓ 100%"),
        (-3, "░░░░░░░░░░ 0%"),
    ],
)
def test_progress_bar(percent: int | None, shown: str) -> None:
    assert progress_bar(percent) == shown
