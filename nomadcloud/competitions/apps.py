from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetitionsConfig(AppConfig):
    name = "nomadcloud.competitions"
    label = "competitions"
    verbose_name = _("Maker competitions")

    def ready(self) -> None:
        from django.urls import reverse

        from nomadcloud.competitions import access, personal_data, results, workspace
        from nomadcloud.core import privacy, publicity
        from nomadcloud.payouts import events as payout_events

        workspace.register()
        from nomadcloud.competitions import incentive_facts

        incentive_facts.register()  # prize winners as facts of incentives' task 15 support
        from nomadcloud.competitions import indicators

        indicators.register()  # projects industrialised, conversions (the dashboard)
        privacy.register(
            "competitions",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("your competition entries and submissions"),
        )
        publicity.register_subject(
            results.SUBJECT,
            may_decide=access.may_decide_objection,
            url=lambda subject_id: reverse("competitions:winners", args=[subject_id]),
        )
        publicity.objection_decided.connect(
            results.on_objection_decided, uid="competitions.objection_decided"
        )
        payout_events.payout_confirmed.connect(
            results.on_payout_confirmed, uid="competitions.payout_confirmed"
        )
