"""Results (出件) as signed documents: a W3C Verifiable Credential naming the application,
the item, the decision and the department, secured with the zone's ``eddsa-jcs-2022`` key
(the proofs machinery). Anyone holding the zone's DID document verifies it offline with
``verify_result``: no database, no network."""

from __future__ import annotations

from typing import Any

from nomadcloud.onecard import content
from nomadcloud.onecard.models import Application
from nomadcloud.proofs.core import dataintegrity
from nomadcloud.proofs.services import (
    current_key,
    did_keys,
    issuer_did,
    subject_id,
    verification_method,
)
from nomadcloud.proofs.services.identity import iso, signing_seed

CONTEXT = ["https://www.w3.org/ns/credentials/v2"]


def result_document(application: Application) -> dict[str, Any]:
    version = application.version
    decided = application.decided_at
    assert decided is not None
    department = application.department
    return {
        "@context": CONTEXT,
        "id": f"urn:uuid:{application.public_id}",
        "type": ["VerifiableCredential", "ServiceResult"],
        "issuer": issuer_did(),
        "validFrom": iso(decided),
        "name": {
            "zh-Hans": content.text(version.content.get("name"), "zh-hans"),
            "en": content.text(version.content.get("name"), "en"),
        },
        "credentialSubject": {
            "id": subject_id(application.applicant.public_id),
            "type": "ServiceResult",
            "reference": application.reference,
            "serviceCode": application.item.code,
            "serviceVersion": version.number,
            "resultType": version.result_type,
            "decision": application.status,
            "ruleVersion": application.rule_version,
            "competentAuthority": {
                "zh-Hans": department.name_zh,
                "en": department.name_en,
            },
        },
    }


def sign_result(application: Application) -> dict[str, Any]:
    key = current_key()
    document = result_document(application)
    return dataintegrity.add_proof(
        document,
        signing_seed(key),
        verification_method=verification_method(key),
        created=document["validFrom"],
    )


def verify_result(document: Any, did_document: Any) -> bool:
    """True when the document is signed by a key of the given DID document (offline)."""
    keys = did_keys(did_document) or set()
    return any(dataintegrity.verify_proof(document, key).verified for key in keys)
