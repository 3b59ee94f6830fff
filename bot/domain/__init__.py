"""What each kind of Tavus resource is, independent of Slack: statuses, lifecycles, ids.

Block Kit builders, event interpreters and handlers all read these; none of them defines
a status of its own.
"""
