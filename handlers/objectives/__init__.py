"""Objectives: create and edit sets from Slack (a form), list, show and delete them."""

from __future__ import annotations

from handlers.objectives import form, manage
from handlers.shared import set_forms

FAMILY = set_forms.family(
    form.FORM, show=manage.handle_show, listing=manage.LISTING, deletion=manage.DELETION
)
