"""What taxonomy adds to the workspace (``accounts/workspace.py``): the operator's imports."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from nomadcloud.accounts import workspace
from nomadcloud.accounts.workspace import Seat, Tool


def operator_imports(seat: Seat) -> Tool:
    return Tool(
        key="taxonomy-imports",
        title=_("Taxonomy imports"),
        url=reverse("taxonomy:imports"),
        links=((_("Skill library"), reverse("taxonomy:search")),),
    )


def register() -> None:
    workspace.tool("operator", operator_imports, order=70)
