"""Tavus for Slack: run Tavus conversational video from Slack."""

__version__ = "0.1.0"
