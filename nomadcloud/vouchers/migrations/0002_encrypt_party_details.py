"""A provider's and a voucher holder's legal representative and bank account are personal
data: stored encrypted with the field keys (core/crypto.py, NOMADCLOUD_FIELD_KEYS), like the
passport number, and shown masked (decision 0033). Existing rows are encrypted in place
before the plain columns go; going back decrypts them."""

from typing import Any

from django.db import migrations, models

from nomadcloud.core.crypto import decrypt_text, encrypt_text

MODELS = ("provider", "voucher")
FIELDS = ("legal_representative", "bank_account")


def encrypt(apps: Any, schema_editor: Any) -> None:
    for name in MODELS:
        model = apps.get_model("vouchers", name)
        for row in model.objects.all().iterator():
            for field in FIELDS:
                setattr(row, f"{field}_encrypted", encrypt_text(getattr(row, field)))
            row.save(update_fields=[f"{field}_encrypted" for field in FIELDS])


def decrypt(apps: Any, schema_editor: Any) -> None:
    for name in MODELS:
        model = apps.get_model("vouchers", name)
        for row in model.objects.all().iterator():
            for field in FIELDS:
                setattr(row, field, decrypt_text(getattr(row, f"{field}_encrypted")))
            row.save(update_fields=list(FIELDS))


class Migration(migrations.Migration):
    dependencies = [("vouchers", "0001_initial")]

    operations = [
        *(
            migrations.AddField(
                model_name=name,
                name="legal_representative_encrypted",
                field=models.TextField(blank=True, verbose_name="legal representative (encrypted)"),
            )
            for name in MODELS
        ),
        *(
            migrations.AddField(
                model_name=name,
                name="bank_account_encrypted",
                field=models.TextField(blank=True, verbose_name="bank account (encrypted)"),
            )
            for name in MODELS
        ),
        # the plain columns may be empty while going back, before decrypt fills them
        *(
            migrations.AlterField(
                model_name=name,
                name="legal_representative",
                field=models.CharField(
                    max_length=100, default="", verbose_name="legal representative"
                ),
            )
            for name in MODELS
        ),
        *(
            migrations.AlterField(
                model_name=name,
                name="bank_account",
                field=models.CharField(max_length=40, default="", verbose_name="bank account"),
            )
            for name in MODELS
        ),
        migrations.RunPython(encrypt, decrypt),
        *(
            migrations.RemoveField(model_name=name, name=field)
            for name in MODELS
            for field in FIELDS
        ),
    ]
