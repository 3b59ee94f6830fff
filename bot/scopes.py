"""The bot scopes the app asks for, and what stops working without each.

manifest.yml declares exactly these (tests/test_manifest.py keeps the two in sync), and
`tavus-slack check` names any the installed token lacks, with what it breaks.
"""

from __future__ import annotations

BOT_SCOPES: dict[str, str] = {
    "commands": "the /tavus command and the shortcuts",
    "chat:write": "every card, threaded update and DM (chat.postMessage, chat.update)",
    "files:write": "long transcripts and analyses attached as files in the thread",
    "channels:history": (
        "after a crash or a timeout mid-post, finding the post in a public channel instead of "
        "posting it again (without it, a post may come twice)"
    ),
    "groups:history": "the same look-up in private channels (a post may come twice)",
    "im:history": "the same look-up in DMs with the app (a post may come twice)",
    "mpim:history": "the same look-up in group DMs (a post may come twice)",
    "im:write": "finding a card that went to its owner's DM (a card may come twice)",
    "links:read": "seeing Tavus links pasted in Slack (the link_shared event)",
    "links:write": "unfurling them with their status (chat.unfurl)",
    "channels:read": "who created a public channel, who may change its /tavus settings",
    "groups:read": "who created a private channel, who may change its /tavus settings",
    "users:read": (
        "workspace admins and owners counting as admins, and guests being kept to looking "
        "(without it, only TAVUS_SLACK_ADMINS are admins and guests are taken for members)"
    ),
}
