from django.core.management import call_command
from django.test import Client

from nomadcloud.accounts.demo import DEMO_PASSWORD, PERSONAS
from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.validators import is_valid_uscc


def test_demo_zone_matches_the_plan(db: None) -> None:
    call_command("seed_demo", verbosity=0)
    departments = set(
        Organisation.objects.filter(kind="department").values_list("name_zh", flat=True)
    )
    assert "儋州市科学技术工业信息化局" in departments and "儋州市公安局" in departments
    assert Organisation.objects.filter(kind="enterprise").count() >= 10
    assert Organisation.objects.filter(kind="merchant").count() >= 5
    assert Organisation.objects.filter(kind="community").count() >= 3
    nomads = User.objects.filter(is_nomad=True)
    assert nomads.count() >= 60
    assert nomads.exclude(nationality="CN").count() >= 15
    codes = Organisation.objects.exclude(credit_code="").values_list("credit_code", flat=True)
    assert codes and all(is_valid_uscc(code) for code in codes)
    call_command("seed_demo", verbosity=0)  # idempotent
    assert User.objects.filter(is_nomad=True).count() == nomads.count()


def test_every_persona_can_sign_in(db: None) -> None:
    call_command("seed_demo", verbosity=0)
    for persona in PERSONAS:
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": persona.email, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, persona.email
