from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BountiesConfig(AppConfig):
    name = "nomadcloud.bounties"
    label = "bounties"
    verbose_name = _("揭榜挂帅 challenges")

    def ready(self) -> None:
        from nomadcloud.bounties import personal_data
        from nomadcloud.core import privacy

        privacy.register(
            "bounties",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_(
                "challenges, questions, applications, expert scores and signatures in 揭榜挂帅"
            ),
        )
        from django.urls import reverse

        from nomadcloud.bounties import access, transitions, workspace
        from nomadcloud.bounties.models import Challenge
        from nomadcloud.bounties.services._common import SUBJECT
        from nomadcloud.core import publicity

        def may_decide(user: object, notice: object) -> bool:
            challenge = Challenge.objects.filter(
                public_id=getattr(notice, "subject_id", "")
            ).first()
            if challenge is None:
                return False
            from nomadcloud.accounts.principal import Principal

            return transitions.DEPARTMENT in access.roles_in(
                Principal.for_user(user),  # type: ignore[arg-type]
                challenge,
            )

        publicity.register_subject(
            SUBJECT,
            may_decide=may_decide,
            url=lambda subject_id: reverse("bounties:detail", args=[subject_id]),
        )
        workspace.register()
        from nomadcloud.bounties import notices

        notices.register_kinds()
        from nomadcloud.bounties.services import money
        from nomadcloud.payouts.events import payout_confirmed

        payout_confirmed.connect(money.on_payout_confirmed, uid="bounties.close_when_paid")
