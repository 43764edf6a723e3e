from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from nomadcloud.accounts.models import User
from nomadcloud.core.crypto import rotate_text


class Command(BaseCommand):
    help = (
        "Re-encrypt stored personal data with the first key of NOMADCLOUD_FIELD_KEYS; "
        "afterwards the older keys can be removed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        with transaction.atomic():
            for user in User.objects.exclude(passport_number_encrypted="").select_for_update():
                user.passport_number_encrypted = rotate_text(user.passport_number_encrypted)
                user.save(update_fields=["passport_number_encrypted"])
                count += 1
        self.stdout.write(f"Re-encrypted {count} passport numbers with the newest key.")
