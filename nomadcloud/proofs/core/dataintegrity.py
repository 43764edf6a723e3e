"""W3C Data Integrity proofs with the ``eddsa-jcs-2022`` cryptosuite (vc-di-eddsa v1.0 §3.3).

- Transformation: ``JCS(unsecuredDocument)``.
- Proof configuration: the proof options (without ``proofValue``) with ``@context`` set to
  the document's ``@context`` when it has one, canonicalised with JCS; ``type`` must be
  ``DataIntegrityProof`` and ``cryptosuite`` ``eddsa-jcs-2022``; ``created``, if present,
  must be an XML Schema dateTimeStamp.
- Hashing: ``SHA-256(JCS(proofConfig)) ‖ SHA-256(JCS(document))`` (proof hash first).
- Serialisation: Ed25519 over those 64 bytes; ``proofValue`` = multibase base58btc.
- Verification: the document without ``proof``; the proof without ``proofValue``; when the
  proof has an ``@context`` the document's ``@context`` must start with the same values in
  the same order, and the proof's ``@context`` is then the one used.

Resolving ``verificationMethod`` to a key is the caller's job (``did:web`` / ``did:key``
resolution lives in the Django layer); ``verify_proof`` takes the raw public key.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from typing import Any

from . import ed25519, rfc3339
from .jcs import canonical_halves, canonicalize, join_members, member

__all__ = [
    "CRYPTOSUITE",
    "PROOF_TYPE",
    "ProofError",
    "Prover",
    "VerificationResult",
    "add_proof",
    "add_proof_canonical",
    "hash_data",
    "proof_configuration",
    "verify_proof",
]

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-jcs-2022"

# XML Schema 1.1 dateTimeStamp: a dateTime with a mandatory time zone.


def _copy(value: Any) -> Any:
    """A deep copy of a JSON value: dicts and lists are rebuilt, immutable scalars shared;
    anything else goes through ``copy.deepcopy`` (same result, several times faster)."""
    kind = type(value)
    if kind is dict:
        return {key: _copy(item) for key, item in value.items()}
    if kind is list:
        return [_copy(item) for item in value]
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    return copy.deepcopy(value)


class ProofError(ValueError):
    """The document or proof is malformed. ``reason`` is a stable machine-readable code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class VerificationResult:
    verified: bool
    reason: str  # "ok" or the code of the failed check
    verification_method: str | None = None
    canonical: bytes | None = None
    """JCS of the whole secured document (proof included) when the proof verified and the
    proof's context is the document's: what a transparency log hashes, at no extra cost."""


def proof_configuration(unsecured_document: dict[str, Any], options: dict[str, Any]) -> bytes:
    """JCS of the proof configuration (vc-di-eddsa §3.3.5)."""
    config = _copy(options)
    config.pop("proofValue", None)
    if config.get("type") != PROOF_TYPE or config.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError("cryptosuite", f"proof is not a {PROOF_TYPE} of {CRYPTOSUITE}")
    created = config.get("created")
    if created is not None and not rfc3339.is_date_time(created):
        raise ProofError("created", "proof 'created' is not an RFC 3339 date-time")
    if "@context" in unsecured_document:
        config["@context"] = _copy(unsecured_document["@context"])
    return canonicalize(config)


def hash_data(canonical_document: bytes, canonical_proof_config: bytes) -> bytes:
    """SHA-256(proof config) ‖ SHA-256(document): the 64 bytes that are signed."""
    return (
        hashlib.sha256(canonical_proof_config).digest()
        + hashlib.sha256(canonical_document).digest()
    )


def add_proof(
    unsecured_document: dict[str, Any],
    seed: bytes,
    *,
    verification_method: str,
    proof_purpose: str = "assertionMethod",
    created: str | None = None,
    extra_options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return a copy of the document secured with an ``eddsa-jcs-2022`` proof.

    ``created`` (e.g. ``"2023-02-24T23:36:38Z"``) is taken as given, so that output is
    deterministic; ``extra_options`` may carry ``expires``, ``domain``, ``challenge``,
    ``nonce`` or ``id``. The proof carries the document's ``@context``, as in the W3C test
    vector, so that a verifier can check it.
    """
    secured, _canonical = add_proof_canonical(
        _copy(unsecured_document),
        seed,
        verification_method=verification_method,
        proof_purpose=proof_purpose,
        created=created,
        extra_options=extra_options,
    )
    return secured


def add_proof_canonical(
    unsecured_document: dict[str, Any],
    seed: bytes,
    *,
    verification_method: str,
    proof_purpose: str = "assertionMethod",
    created: str | None = None,
    extra_options: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], bytes]:
    """``add_proof``, and the JCS of the secured document (from the same canonicalisation
    of the document's members that was signed). The secured document shares the values of
    ``unsecured_document`` (no copy: issuing builds each document for this call)."""
    if "proof" in unsecured_document:
        raise ProofError("already_secured", "document already carries a proof")
    options: dict[str, Any] = {"type": PROOF_TYPE, "cryptosuite": CRYPTOSUITE}
    if created is not None:
        options["created"] = created
    options["verificationMethod"] = verification_method
    options["proofPurpose"] = proof_purpose
    if extra_options:
        options.update(_copy(extra_options))
    canonical_config = proof_configuration(unsecured_document, options)
    if "@context" in unsecured_document:
        options["@context"] = _copy(unsecured_document["@context"])
    before, after = canonical_halves(unsecured_document, "proof")
    signature = ed25519.sign(seed, hash_data(join_members(before, after), canonical_config))
    options["proofValue"] = ed25519.multibase_encode(signature)
    secured: dict[str, Any] = {**unsecured_document, "proof": options}
    return secured, join_members(before, member("proof", canonicalize(options)), after)


class Prover:
    """``add_proof_canonical`` for many documents secured with the same proof options and
    ``@context`` (an issuing batch: one key, one ``created``). What is the same for all of
    them is done once here: the proof configuration, canonicalised and hashed (the first half
    of every signed message), and the canonical members of the proof around ``proofValue``.
    Per document there is then one canonicalisation of its members, one SHA-256 and one
    signature. ``secure`` returns exactly what ``add_proof_canonical`` returns for the same
    arguments (tests/test_proofs_core_speedups.py); a document with another ``@context``
    goes through ``add_proof_canonical`` itself."""

    def __init__(
        self,
        context: Any,
        seed: bytes,
        *,
        verification_method: str,
        proof_purpose: str = "assertionMethod",
        created: str | None = None,
    ) -> None:
        self.context = _copy(context)
        self.seed = seed
        self.verification_method = verification_method
        self.proof_purpose = proof_purpose
        self.created = created
        options: dict[str, Any] = {"type": PROOF_TYPE, "cryptosuite": CRYPTOSUITE}
        if created is not None:
            options["created"] = created
        options["verificationMethod"] = verification_method
        options["proofPurpose"] = proof_purpose
        document = {} if context is None else {"@context": context}
        self._config_hash = hashlib.sha256(proof_configuration(document, options)).digest()
        if context is not None:
            options["@context"] = _copy(context)
        self._options = options
        self._proof_halves = canonical_halves(options, "proofValue")
        self._proof_value_member = canonicalize("proofValue") + b":"

    def secure(self, unsecured_document: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
        """``add_proof_canonical(unsecured_document, seed, …)`` with this prover's options:
        the secured document (sharing the values of ``unsecured_document``) and its JCS."""
        if "proof" in unsecured_document:
            raise ProofError("already_secured", "document already carries a proof")
        if unsecured_document.get("@context") != self.context or (
            self.context is None and "@context" in unsecured_document
        ):
            return add_proof_canonical(
                unsecured_document,
                self.seed,
                verification_method=self.verification_method,
                proof_purpose=self.proof_purpose,
                created=self.created,
            )
        before, after = canonical_halves(unsecured_document, "proof")
        document_hash = hashlib.sha256(join_members(before, after)).digest()
        proof_value = ed25519.multibase_encode(
            ed25519.sign(self.seed, self._config_hash + document_hash)
        )
        options = {key: _copy(value) for key, value in self._options.items()}
        options["proofValue"] = proof_value
        # base58btc digits and "z" need no escaping: the canonical string is the text quoted.
        value_member = self._proof_value_member + b'"' + proof_value.encode("ascii") + b'"'
        proof = join_members(self._proof_halves[0], value_member, self._proof_halves[1])
        secured: dict[str, Any] = {**unsecured_document, "proof": options}
        return secured, join_members(before, member("proof", proof), after)


def verify_proof(secured_document: Any, public_key: bytes) -> VerificationResult:
    """Verify a single ``eddsa-jcs-2022`` proof with this raw Ed25519 public key.

    Never raises on bad input; ``reason`` names the failed check: ``malformed``,
    ``no_proof``, ``cryptosuite``, ``created``, ``proof_value``, ``context_mismatch``,
    ``not_canonicalizable`` or ``signature``.
    """
    if not isinstance(secured_document, dict):
        return VerificationResult(False, "malformed")
    proof = secured_document.get("proof")
    if not isinstance(proof, dict):
        return VerificationResult(False, "no_proof")
    method = proof.get("verificationMethod")
    method = method if isinstance(method, str) else None
    unsecured = {k: v for k, v in secured_document.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    proof_value = proof.get("proofValue")
    if not isinstance(proof_value, str):
        return VerificationResult(False, "proof_value", method)
    try:
        signature = ed25519.multibase_decode(proof_value)
    except ValueError:
        return VerificationResult(False, "proof_value", method)
    if "@context" in options:
        proof_ctx = options["@context"]
        doc_ctx = unsecured.get("@context")
        proof_list = proof_ctx if isinstance(proof_ctx, list) else [proof_ctx]
        doc_list = doc_ctx if isinstance(doc_ctx, list) else [doc_ctx]
        if doc_ctx is None or doc_list[: len(proof_list)] != proof_list:
            return VerificationResult(False, "context_mismatch", method)
        unsecured["@context"] = proof_ctx
    try:
        canonical_config = proof_configuration(unsecured, options)
        before, after = canonical_halves(unsecured, "proof")
    except ProofError as exc:
        return VerificationResult(False, exc.reason, method)
    except (ValueError, TypeError, RecursionError):
        return VerificationResult(False, "not_canonicalizable", method)
    canonical_document = join_members(before, after)
    if not ed25519.verify(public_key, hash_data(canonical_document, canonical_config), signature):
        return VerificationResult(False, "signature", method)
    if unsecured.get("@context") != secured_document.get("@context"):
        return VerificationResult(True, "ok", method)  # signed over another context
    try:
        secured = join_members(before, member("proof", canonicalize(proof)), after)
    except (ValueError, TypeError, RecursionError):
        return VerificationResult(True, "ok", method)
    return VerificationResult(True, "ok", method, secured)
