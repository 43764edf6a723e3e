"""Use cases for nomad profiles, the dynamic skill record and certification, one module per
part: ``profile`` (fields, languages, links), ``skills`` (declared and verified skills),
``projects`` (projects and tools), ``rules`` (certification rule sets), ``applying``
(eligibility, applications and their evidence) and ``certificates`` (decisions and
revocation); ``_common`` holds what they share.

One function per action, called by both the pages and the API. Each validates its input first,
then changes the database in one transaction and records an audit event, so that a refusal
leaves nothing half-written. Access to existing objects is checked by the callers through
``access.py``; who may act at all is checked here.

Callers import this package (``services.declare_skill(...)``); the names below are its public
face.
"""

from nomadcloud.talent.services._common import concept_by_code
from nomadcloud.talent.services.applying import (
    Answers,
    Upload,
    add_evidence,
    apply_for_certification,
    check_eligibility,
    clean_answers,
    verified_skill_count,
    withdraw_application,
)
from nomadcloud.talent.services.certificates import (
    add_months,
    decide_certification,
    revoke_certificate,
)
from nomadcloud.talent.services.profile import add_link, remove_item, set_language, update_profile
from nomadcloud.talent.services.projects import add_project, set_tool
from nomadcloud.talent.services.rules import create_rule_set, current_rule_set
from nomadcloud.talent.services.skills import EvidenceInput, declare_skill, record_verified_work

__all__ = [
    "Answers",
    "EvidenceInput",
    "Upload",
    "add_evidence",
    "add_link",
    "add_months",
    "add_project",
    "apply_for_certification",
    "check_eligibility",
    "clean_answers",
    "concept_by_code",
    "create_rule_set",
    "current_rule_set",
    "decide_certification",
    "declare_skill",
    "record_verified_work",
    "remove_item",
    "revoke_certificate",
    "set_language",
    "set_tool",
    "update_profile",
    "verified_skill_count",
    "withdraw_application",
]
