"""Hash provenance of metaverse assets (docs/datapools.md, decision 0057): where the charter
requires it, a contribution carries its asset file with a SHA-256 (and optionally a C2PA
manifest reference) checked against the stored file; without it, or with a hash that does
not match, it is refused on the field, in the reader's language, and nothing is stored."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from nomadcloud.accounts.principal import Principal
from nomadcloud.consent.models import ConsentRecord
from nomadcloud.core.errors import InvalidInput
from nomadcloud.datapools import provenance, services
from nomadcloud.datapools.models import Contribution
from tests.builders import datapools as b
from tests.conftest import World, client_for
from tests.helpers import api_post, assert_error

ASSET = b"glTF\x02\x00\x00\x00 a lighthouse"
GOOD = hashlib.sha256(ASSET).hexdigest()
WRONG = hashlib.sha256(b"something else").hexdigest()


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _contribute(w: World, asset: provenance.Asset | None) -> Contribution:
    return services.contribute(
        principal=Principal.for_user(w.bob),
        pool=b.asset_pool(w),
        data=b.ASSET_CSV,
        consent_notice_version=b.NOTICE,
        give_consent=True,
        asset=asset,
    )


@pytest.mark.parametrize(
    ("asset", "field", "code"),
    [
        (None, "asset", "provenance_missing"),
        (provenance.Asset(data=ASSET), "sha256", "provenance_missing"),
        (provenance.Asset(data=ASSET, sha256="abc"), "sha256", "invalid_input"),
        (provenance.Asset(data=ASSET, sha256=WRONG), "sha256", "hash_mismatch"),
        (
            provenance.Asset(data=ASSET, sha256=GOOD, c2pa_manifest="ftp://x"),
            "c2pa_manifest",
            "invalid_input",
        ),
    ],
)
def test_refused_on_the_field_and_nothing_stored(
    world: World, asset: provenance.Asset | None, field: str, code: str
) -> None:
    pool = b.asset_pool(world)
    consents = ConsentRecord.objects.count()
    with pytest.raises(InvalidInput) as caught:
        _contribute(world, asset)
    assert caught.value.code == code
    assert caught.value.fields is not None and field in caught.value.fields
    assert not pool.contributions.exists()
    assert ConsentRecord.objects.count() == consents  # the consent given with it is undone


def test_matching_hash_is_stored_and_checked_against_the_stored_file(world: World) -> None:
    made = _contribute(
        world,
        provenance.Asset(
            data=ASSET, name="lighthouse.glb", sha256=GOOD.upper(), c2pa_manifest="urn:c2pa:1a2b"
        ),
    )
    assert made.status == Contribution.Status.ACCEPTED
    assert (made.asset_sha256, made.c2pa_manifest, made.asset_size) == (
        GOOD,
        "urn:c2pa:1a2b",
        len(ASSET),
    )
    with default_storage.open(made.asset_file, "rb") as stored:
        assert stored.read() == ASSET
    default_storage.delete(made.asset_file)


def test_a_stored_file_that_differs_is_refused(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The platform hashes the file as stored: a storage that altered it is caught."""
    real_save = default_storage.save
    monkeypatch.setattr(
        provenance.default_storage,
        "save",
        lambda name, content: real_save(name, SimpleUploadedFile("x", b"altered")),
    )
    with pytest.raises(InvalidInput) as caught:
        _contribute(world, provenance.Asset(data=ASSET, sha256=GOOD))
    assert caught.value.code == "hash_mismatch"
    assert not b.asset_pool(world).contributions.exists()


def test_api_and_page(world: World) -> None:
    pool = b.asset_pool(world)
    url = f"/api/v1/datapools/pools/{pool.public_id}/contributions"
    body = {"csv": b.ASSET_CSV.decode(), "consent_notice_version": b.NOTICE, "consent": True}
    bob = client_for(world.bob)
    missing = api_post(bob, url, body)
    assert_error(missing, "provenance_missing", "asset")
    with translation.override("zh-hans"):
        wrong = api_post(
            bob,
            url,
            {**body, "asset": base64.b64encode(ASSET).decode(), "sha256": WRONG},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    error = assert_error(wrong, "hash_mismatch", "sha256")
    assert error["fields"]["sha256"] == ["SHA-256 哈希值与资产文件不符。"]
    made = api_post(bob, url, {**body, "asset": base64.b64encode(ASSET).decode(), "sha256": GOOD})
    assert made.status_code == 201, made.content
    assert made.json()["asset_sha256"] == GOOD
    # The page: the charter says so, the form asks for the file and its hash.
    assert b'data-testid="charter-provenance"' in bob.get(f"/datapools/{pool.public_id}/").content
    page = bob.post(
        f"/datapools/{pool.public_id}/contribute/",
        {
            "file": SimpleUploadedFile("a.csv", b.ASSET_CSV),
            "consent": "on",
            "asset": SimpleUploadedFile("a.glb", ASSET),
            "sha256": WRONG,
        },
    )
    assert page.status_code == 422
    assert "SHA-256 哈希值与资产文件不符。" in page.content.decode()  # Bob reads Chinese
    assert pool.contributions.count() == 1
    for c in pool.contributions.all():
        default_storage.delete(c.asset_file)
