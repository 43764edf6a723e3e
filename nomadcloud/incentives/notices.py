"""The notification kinds incentives sends, and the texts of the reasons a fact is not
counted (imported by the app's ``ready()``)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from nomadcloud.notifications.kinds import register

ENTITLEMENT = register(
    "incentives.entitlement",
    title=_("You may be eligible for %(amount)s"),
    body=_(
        "From the facts the platform holds for %(year)s you may be eligible for %(amount)s "
        "under “%(policy_zh)s” (%(policy_en)s). See how it was computed and claim it in one "
        "click."
    ),
    label=_("Incentives: an entitlement was found for your organisation"),
)
CLAIM_CHANGED = register(
    "incentives.claim_changed",
    title=_("Your incentive claim: %(status)s"),
    body=_("Your claim under “%(policy_zh)s” (%(policy_en)s) for %(year)s is now: %(status)s."),
    label=_("Incentives: a claim you made changed"),
)

# Why the rule did not count a fact (policies.EXCLUSIONS) and the officer's reasons.
EXCLUSION_TEXTS: dict[str, Promise] = {
    "counted": _("Counted"),
    "outside_period": _("Outside the claimed year"),
    "not_certified": _("The nomad was not certified on the counting date"),
    "not_confirmed": _("Introduction not confirmed (or counted for another introducer)"),
    "duplicate_nomad": _("The same nomad is already counted"),
    "short_contract": _("The contract is shorter than 12 months"),
    "short_engagement": _("The engagement is shorter than the minimum"),
    "below_participants": _("Fewer participants than required"),
    "not_industrialised": _("The project has not landed in the zone"),
    "not_statistics_confirmed": _("Not counted by the statistics bureau (纳统)"),
    "unknown_rank": _("Not a prize rank"),
    "exclusive_policy": _("Already claimed under a policy that may not be combined with this one"),
}
OFFICER_REASONS: dict[str, Promise] = {
    "evidence_missing": _("Evidence missing or unreadable"),
    "not_in_zone": _("Not in the zone"),
    "not_certified": _("The nomad was not certified on the counting date"),
    "short_contract": _("The contract is shorter than 12 months"),
    "claimed_elsewhere": _("Already claimed under another policy"),
    "other": _("Other reason"),
}
REASON_TEXTS: dict[str, Promise] = {
    "below_threshold": _("Below the yearly threshold"),
    "cap_reached": _("Capped at the yearly maximum"),
    "not_local_digital_economy": _("Not a local digital-economy enterprise"),
    "no_items": _("Nothing counted"),
}


def exclusion_text(code: str) -> Promise | str:
    return EXCLUSION_TEXTS.get(code) or OFFICER_REASONS.get(code) or code
