from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from nomadcloud.core.crypto import rotate_text
from nomadcloud.vouchers.models import Provider, Voucher

FIELDS = ("legal_representative_encrypted", "bank_account_encrypted")


class Command(BaseCommand):
    help = (
        "Re-encrypt the vouchers' personal data (legal representatives, bank accounts) with "
        "the first key of NOMADCLOUD_FIELD_KEYS; run with rotate_field_keys before removing "
        "an older key."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        with transaction.atomic():
            for model in (Provider, Voucher):
                for row in model.objects.select_for_update().only("pk", *FIELDS):
                    for field in FIELDS:
                        setattr(row, field, rotate_text(getattr(row, field)))
                    row.save(update_fields=list(FIELDS))
                    count += 1
        self.stdout.write(f"Re-encrypted the party details of {count} providers and vouchers.")
