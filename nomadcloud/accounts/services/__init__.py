"""Use cases for people, organisations, memberships and API tokens, one module per part:
``people``, ``organisations``, ``memberships`` (and invitations), ``tokens``; ``_common`` holds
what they share.

One function per action, called by both the pages and the API. Each validates its input,
changes the database in one transaction and records an audit event. Access is checked by the
callers through ``access.py``; the rules that depend on who acts (an admin cannot demote an
owner, …) are checked here. Callers import this package (``services.register_person(...)``);
the names below are its public face.
"""

from nomadcloud.accounts.services._common import (
    INVITATION_DAYS,
    MAX_TOKEN_DAYS,
    ORG_VERIFICATION_RULE_VERSION,
    PRIVACY_NOTICE_VERSION,
    SELF_SERVICE_KINDS,
    VERIFYING_DEPARTMENT_CODE,
    M,
)
from nomadcloud.accounts.services.memberships import (
    accept_invitation,
    change_member_role,
    find_invitation,
    invite_member,
    remove_member,
    revoke_invitation,
)
from nomadcloud.accounts.services.organisations import (
    create_organisation,
    decide_verification,
    request_verification,
    update_organisation,
    verifying_department_for,
)
from nomadcloud.accounts.services.people import (
    PERSONAL_DATA_FORMAT,
    erase_account,
    export_personal_data,
    register_or_notify,
    register_person,
    set_foreign_details,
    set_preferred_language,
    update_profile,
)
from nomadcloud.accounts.services.tokens import (
    TOKEN_PREFIXES,
    authenticate_token,
    create_organisation_key,
    create_personal_token,
    revoke_personal_tokens,
    revoke_token,
)

__all__ = [
    "INVITATION_DAYS",
    "MAX_TOKEN_DAYS",
    "ORG_VERIFICATION_RULE_VERSION",
    "PERSONAL_DATA_FORMAT",
    "PRIVACY_NOTICE_VERSION",
    "SELF_SERVICE_KINDS",
    "TOKEN_PREFIXES",
    "VERIFYING_DEPARTMENT_CODE",
    "M",
    "accept_invitation",
    "authenticate_token",
    "change_member_role",
    "create_organisation",
    "create_organisation_key",
    "create_personal_token",
    "decide_verification",
    "erase_account",
    "export_personal_data",
    "find_invitation",
    "invite_member",
    "register_or_notify",
    "register_person",
    "remove_member",
    "request_verification",
    "revoke_invitation",
    "revoke_personal_tokens",
    "revoke_token",
    "set_foreign_details",
    "set_preferred_language",
    "update_organisation",
    "update_profile",
    "verifying_department_for",
]
