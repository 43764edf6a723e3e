"""The notifications cross-border sends."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from nomadcloud.notifications import kinds


def register() -> None:
    kinds.register(
        "crossborder.evidence_submitted",
        title=_("Cross-border request to pre-check: %(recipient)s"),
        body=_("%(exporter)s submitted all evidence for its export to %(recipient)s."),
    )
    kinds.register(
        "crossborder.returned",
        title=_("Cross-border request returned: %(recipient)s"),
        body=_("The 网信办 returned your export request to %(recipient)s for correction."),
    )
    kinds.register(
        "crossborder.whitelisted",
        title=_("Whitelisted: export to %(recipient)s"),
        body=_("Your export to %(recipient)s is on the data-export whitelist."),
    )
    kinds.register(
        "crossborder.renewal_due",
        title=_("Renew the export whitelist entry: %(recipient)s"),
        body=_(
            "Your whitelist entry for %(recipient)s ends on %(valid_to)s; apply for its "
            "renewal now."
        ),
    )
