from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProofsConfig(AppConfig):
    name = "nomadcloud.proofs"
    label = "proofs"
    verbose_name = _("Proofs of work")

    def ready(self) -> None:
        from nomadcloud.core import privacy
        from nomadcloud.proofs import personal_data

        privacy.register(
            "proofs",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("proof-of-work credentials"),
        )

        from nomadcloud.proofs import workspace

        workspace.register()  # its tools on the role workspaces (accounts/workspace.py)
        connect()
        from nomadcloud.proofs import indicators

        indicators.register()  # its indicators for the dashboard (core/indicators.py)


def connect() -> None:
    """Accepted work issues its credentials, inside the accepting transaction, from the
    payload the accepting use case sends (docs/decisions/0004)."""
    from nomadcloud.bounties.events import milestone_accepted as challenge_milestone_accepted
    from nomadcloud.datatasks.events import batch_accepted
    from nomadcloud.orders.events import milestone_accepted
    from nomadcloud.proofs.services import revocation, verified_work
    from nomadcloud.risk.events import issuance_cancelled
    from nomadcloud.training.events import training_passed

    batch_accepted.connect(verified_work.on_batch_accepted, uid="proofs.issue_for_batch")
    milestone_accepted.connect(
        verified_work.on_milestone_accepted, uid="proofs.issue_for_milestone"
    )
    challenge_milestone_accepted.connect(
        verified_work.on_challenge_milestone_accepted, uid="proofs.issue_for_challenge"
    )
    training_passed.connect(verified_work.on_training_passed, uid="proofs.issue_for_training")
    # Held work units a zone operator cancelled: the credential that carried them is revoked.
    issuance_cancelled.connect(revocation.on_issuance_cancelled, uid="proofs.revoke_cancelled")
