from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "nomadcloud.conversations"
    label = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from nomadcloud.conversations import notices, wiring  # noqa: F401  (registration)
        from nomadcloud.demands.applications import register_proof_lookup
        from nomadcloud.demands.events import application_shortlisted
        from nomadcloud.matching.events import invitation_answered

        # A shortlisted application or an accepted invitation opens the conversation
        # (docs/decisions/0012): the lower apps send events, this one listens.
        application_shortlisted.connect(
            wiring.on_application_shortlisted, uid="conversations.open_for_application"
        )
        invitation_answered.connect(
            wiring.on_invitation_answered, uid="conversations.open_for_invitation"
        )
        register_proof_lookup(wiring.own_proofs)

        from nomadcloud.conversations import personal_data
        from nomadcloud.core import privacy

        privacy.register(
            "conversations",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("conversations with enterprises, and the messages and files you sent"),
        )
