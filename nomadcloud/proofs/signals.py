"""Verified work issues its credentials in the transaction that verifies it, and the signals
other apps (points) listen to, sent inside the issuing or revoking transaction so that what
they do commits or rolls back with it.

The hooks are ``post_save`` receivers, so that datatasks, orders and training never import
proofs:

- a data ``Batch`` saved with ``status`` = accepted (``datatasks.services.accept_batch``);
- an ``Order`` saved with ``accepted_automatically`` while accepted: the last write of
  ``orders.services._accepted``, which runs for an enterprise's acceptance and for automatic
  acceptance alike, so the credential records which it was;
- a training ``Enrolment`` saved with ``status`` = passed (``training.services.assess``).

Issuing is idempotent per source, so a repeated save issues nothing new.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import Signal

credential_issued = Signal()
"""Sent with ``credential`` (a proofs ``Credential``) for each newly issued credential."""

credentials_issued = Signal()
"""Sent once per issuing transaction with ``credentials`` (all newly issued), after the
per-credential signals: listeners that can work in bulk (points) use this one."""

credential_revoked = Signal()
"""Sent with ``credential`` and ``actor`` (the operator) when a credential is revoked."""


def _batch_saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    from nomadcloud.datatasks.models import Batch

    if update_fields and "status" in update_fields and instance.status == Batch.Status.ACCEPTED:
        from nomadcloud.proofs.services.verified_work import issue_for_batch

        issue_for_batch(instance)


def _order_saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    from nomadcloud.orders.models import Order

    if (
        update_fields
        and "accepted_automatically" in update_fields
        and instance.status == Order.Status.ACCEPTED
        and instance.nomad_id is not None
    ):
        from nomadcloud.proofs.services.verified_work import issue_for_order

        issue_for_order(instance)


def _enrolment_saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    from nomadcloud.training.models import Enrolment

    if update_fields and "status" in update_fields and instance.status == Enrolment.Status.PASSED:
        from nomadcloud.proofs.services.verified_work import issue_for_enrolment

        issue_for_enrolment(instance)


def connect() -> None:
    from nomadcloud.datatasks.models import Batch
    from nomadcloud.orders.models import Order
    from nomadcloud.training.models import Enrolment

    post_save.connect(_batch_saved, sender=Batch, dispatch_uid="proofs.batch_accepted")
    post_save.connect(_order_saved, sender=Order, dispatch_uid="proofs.order_accepted")
    post_save.connect(_enrolment_saved, sender=Enrolment, dispatch_uid="proofs.enrolment_passed")
