"""Pages for people and organisations. Each view fetches objects through the access
chokepoints, parses input with a form and calls one service."""

from __future__ import annotations

from nomadcloud.accounts.views.organisations import (
    accept_invitation,
    change_role,
    create_key,
    create_organisation,
    edit_organisation,
    invite,
    organisation,
    organisations,
    remove_member,
    request_verification,
    revoke_invitation,
)
from nomadcloud.accounts.views.reviews import (
    audit_log,
    review,
    reviews,
)
from nomadcloud.accounts.views.settings import (
    PasswordResetConfirmView,
    PasswordResetView,
    account_settings,
    erase,
    export_data,
    revoke_token,
    tokens,
    workspace,
)
from nomadcloud.accounts.views.signin import (
    SignInView,
    locked_out,
    register,
    register_confirm,
    sign_out,
    verify_contact,
)
from nomadcloud.accounts.views.site import (
    privacy,
    set_language,
)

__all__ = [
    "PasswordResetConfirmView",
    "PasswordResetView",
    "SignInView",
    "accept_invitation",
    "account_settings",
    "audit_log",
    "change_role",
    "create_key",
    "create_organisation",
    "edit_organisation",
    "erase",
    "export_data",
    "invite",
    "locked_out",
    "organisation",
    "organisations",
    "privacy",
    "register",
    "register_confirm",
    "remove_member",
    "request_verification",
    "review",
    "reviews",
    "revoke_invitation",
    "revoke_token",
    "set_language",
    "sign_out",
    "tokens",
    "verify_contact",
    "workspace",
]
