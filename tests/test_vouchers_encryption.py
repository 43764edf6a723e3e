"""A provider's and a voucher holder's legal representative and bank account are stored
encrypted with the field keys and shown masked (issue 17, decision 0033); migration 0002
encrypts the rows written before it."""

from __future__ import annotations

import importlib
import io
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from nomadcloud.core.crypto import decrypt_text
from nomadcloud.vouchers.models import Provider
from tests.builders import vouchers as b
from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_provider_details_are_encrypted_at_rest_and_masked_on_the_page(
    world: World, client: Any
) -> None:
    provider = b.applied_provider(world)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT legal_representative_encrypted, bank_account_encrypted FROM "
            "vouchers_provider WHERE id = %s",
            [provider.pk],
        )
        stored_name, stored_account = cursor.fetchone()
    assert "陈查理" not in stored_name and "6222" not in stored_account
    assert decrypt_text(stored_name) == "陈查理"
    fresh = Provider.objects.get(pk=provider.pk)
    assert fresh.bank_account == "6222 0000 1111 2222"
    assert fresh.masked_bank_account == "6222********2222"
    assert fresh.masked_legal_representative == "陈**"

    client.force_login(world.wendy)
    page = client.get(f"/vouchers/providers/{provider.public_id}/").content.decode()
    assert "6222********2222" in page and "6222 0000 1111 2222" not in page
    assert "陈**" in page and "陈查理" not in page


def test_the_migration_encrypts_existing_rows() -> None:
    migration = importlib.import_module("nomadcloud.vouchers.migrations.0002_encrypt_party_details")
    saved: list[list[str]] = []

    class Row(SimpleNamespace):
        def save(self, update_fields: list[str]) -> None:
            saved.append(update_fields)

    rows = {
        "provider": [Row(legal_representative="符海生", bank_account="6217 0033 1000 8866")],
        "voucher": [Row(legal_representative="", bank_account="6222 1")],
    }

    class Manager:
        def __init__(self, name: str) -> None:
            self.name = name

        def all(self) -> Any:
            return SimpleNamespace(iterator=lambda: iter(rows[self.name]))

    apps = SimpleNamespace(get_model=lambda app, name: SimpleNamespace(objects=Manager(name)))
    migration.encrypt(apps, None)
    provider, voucher = rows["provider"][0], rows["voucher"][0]
    assert decrypt_text(provider.legal_representative_encrypted) == "符海生"
    assert decrypt_text(provider.bank_account_encrypted) == "6217 0033 1000 8866"
    assert (
        voucher.legal_representative_encrypted == ""
        and decrypt_text(voucher.bank_account_encrypted) == "6222 1"
    )
    assert len(saved) == 2
    migration.decrypt(apps, None)
    assert provider.bank_account == "6217 0033 1000 8866"


def test_the_rotation_command_re_encrypts_and_keeps_the_values(world: World) -> None:
    provider = b.applied_provider(world)
    before = Provider.objects.get(pk=provider.pk).bank_account_encrypted
    call_command("rotate_voucher_field_keys", stdout=io.StringIO())
    after = Provider.objects.get(pk=provider.pk)
    assert after.bank_account_encrypted != before
    assert after.bank_account == "6222 0000 1111 2222"
