"""How a long job's progress reads on its card: a bar and a percentage."""

from __future__ import annotations

BAR_CELLS = 10


def progress_bar(percent: int | None) -> str:
    """`▓▓▓▓░░░░░░ 40%`; an unknown progress reads as "in progress"."""
    if percent is None:
        return "in progress"
    percent = max(0, min(100, percent))
    filled = round(percent / 100 * BAR_CELLS)
    return f"{'▓' * filled}{'░' * (BAR_CELLS - filled)} {percent}%"
