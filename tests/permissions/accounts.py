"""Permission cases for people, organisations, tokens, reviews and the audit log."""

from __future__ import annotations

from tests.permissions import (
    AUTHENTICATED,
    CONFLICT,
    INVALID,
    MEMBERS_AND_OPERATOR,
    OPERATOR_ONLY,
    OWNER_ONLY,
    Case,
    expect,
    org,
)

API_CASES = [
    Case("api get me", "GET", lambda w: "/api/v1/me", AUTHENTICATED, api=True),
    Case(
        "api patch me",
        "PATCH",
        lambda w: "/api/v1/me",
        AUTHENTICATED,
        lambda w: {"display_name": "New Name"},
        api=True,
    ),
    Case(
        "api foreign details",
        "PUT",
        lambda w: "/api/v1/me/foreign-details",
        AUTHENTICATED,
        lambda w: {"nationality": "FR", "passport_number": "12AB34567"},
        api=True,
    ),
    Case("api export", "GET", lambda w: "/api/v1/me/export", AUTHENTICATED, api=True),
    Case(
        "api export after re-authentication",
        "POST",
        lambda w: "/api/v1/me/export",
        AUTHENTICATED,
        lambda w: {"password": "correct-horse-battery-staple-42"},
        api=True,
    ),
    Case(
        "api erase",
        "POST",
        lambda w: "/api/v1/me/erase",
        expect(
            "readonly",
            "reviewer",
            outsider=CONFLICT("sole_owner"),
            owner=CONFLICT("sole_owner"),
            operator=CONFLICT("sole_owner"),
        ),
        lambda w: {"password": "correct-horse-battery-staple-42"},
        api=True,
    ),
    Case(
        "api list organisations", "GET", lambda w: "/api/v1/organisations", AUTHENTICATED, api=True
    ),
    Case(
        "api create organisation",
        "POST",
        lambda w: "/api/v1/organisations",
        AUTHENTICATED,
        lambda w: {"kind": "merchant", "name_en": "New Shop"},
        api=True,
    ),
    Case(
        "api get organisation",
        "GET",
        lambda w: f"/api/v1/organisations/{org(w)}",
        MEMBERS_AND_OPERATOR,
        api=True,
    ),
    Case(
        "api patch organisation",
        "PATCH",
        lambda w: f"/api/v1/organisations/{org(w)}",
        OWNER_ONLY,
        lambda w: {"name_en": "Acme Renamed"},
        api=True,
    ),
    Case(
        "api request verification",
        "POST",
        lambda w: f"/api/v1/organisations/{org(w)}/verification-request",
        OWNER_ONLY,
        api=True,
    ),
    Case(
        "api list members",
        "GET",
        lambda w: f"/api/v1/organisations/{org(w)}/members",
        MEMBERS_AND_OPERATOR,
        api=True,
    ),
    Case(
        "api change role",
        "PATCH",
        lambda w: f"/api/v1/organisations/{org(w)}/members/{w.bob_membership.pk}",
        OWNER_ONLY,
        lambda w: {"role": "admin"},
        api=True,
    ),
    Case(
        "api remove member",
        "DELETE",
        lambda w: f"/api/v1/organisations/{org(w)}/members/{w.bob_membership.pk}",
        OWNER_ONLY,
        api=True,
    ),
    Case(
        "api list invitations",
        "GET",
        lambda w: f"/api/v1/organisations/{org(w)}/invitations",
        OWNER_ONLY,
        api=True,
    ),
    Case(
        "api invite",
        "POST",
        lambda w: f"/api/v1/organisations/{org(w)}/invitations",
        OWNER_ONLY,
        lambda w: {"email": "x@example.com", "role": "member"},
        api=True,
    ),
    Case(
        "api revoke invitation",
        "POST",
        lambda w: f"/api/v1/organisations/{org(w)}/invitations/{w.invitation.pk}/revoke",
        OWNER_ONLY,
        api=True,
    ),
    Case(
        "api accept invitation",
        "POST",
        lambda w: "/api/v1/invitations/accept",
        expect(
            "outsider",
            "reviewer",
            "operator",
            readonly=CONFLICT("already_member"),
            owner=CONFLICT("already_member"),
        ),
        lambda w: {"token": w.invitation_token},
        api=True,
    ),
    Case("api list tokens", "GET", lambda w: "/api/v1/tokens", AUTHENTICATED, api=True),
    Case(
        "api create token",
        "POST",
        lambda w: "/api/v1/tokens",
        AUTHENTICATED,
        lambda w: {"name": "ci", "scope": "read"},
        api=True,
    ),
    Case(
        "api revoke personal token",
        "POST",
        lambda w: f"/api/v1/tokens/{w.olivia_token.public_id}/revoke",
        expect("owner"),
        api=True,
    ),
    Case(
        "api revoke organisation key",
        "POST",
        lambda w: f"/api/v1/tokens/{w.org_key.public_id}/revoke",
        OWNER_ONLY,
        api=True,
    ),
    Case(
        "api list keys",
        "GET",
        lambda w: f"/api/v1/organisations/{org(w)}/api-keys",
        OWNER_ONLY,
        api=True,
    ),
    Case(
        "api create key",
        "POST",
        lambda w: f"/api/v1/organisations/{org(w)}/api-keys",
        OWNER_ONLY,
        lambda w: {"name": "ERP", "scope": "read"},
        api=True,
    ),
    Case(
        "api review queue",
        "GET",
        lambda w: "/api/v1/reviews/organisations",
        AUTHENTICATED,
        api=True,
    ),
    Case(
        "api decide",
        "POST",
        lambda w: f"/api/v1/reviews/organisations/{w.pending.public_id}/decision",
        expect("reviewer"),
        lambda w: {"approve": True, "reason": "Code checked.", "checked_registry": True},
        api=True,
    ),
    Case("api audit events", "GET", lambda w: "/api/v1/audit-events", OPERATOR_ONLY, api=True),
]

PAGE_CASES = [
    Case("workspace", "GET", lambda w: "/accounts/workspace/", AUTHENTICATED),
    Case("settings", "GET", lambda w: "/accounts/settings/", AUTHENTICATED),
    Case(
        "settings save",
        "POST",
        lambda w: "/accounts/settings/",
        AUTHENTICATED,
        lambda w: {
            "form": "profile",
            "display_name": "Renamed",
            "email": "",
            "phone": "+8613812345678",
            "preferred_language": "en",
        },
    ),
    Case("export", "GET", lambda w: "/accounts/settings/export/", AUTHENTICATED),
    Case("erase form", "GET", lambda w: "/accounts/settings/erase/", AUTHENTICATED),
    Case(
        "erase",
        "POST",
        lambda w: "/accounts/settings/erase/",
        expect("readonly", "reviewer", outsider=INVALID(), owner=INVALID(), operator=INVALID()),
        lambda w: {"password": "correct-horse-battery-staple-42"},
    ),
    Case("tokens", "GET", lambda w: "/accounts/tokens/", AUTHENTICATED),
    Case(
        "revoke token confirmation page",
        "GET",
        lambda w: f"/accounts/tokens/{w.olivia_token.public_id}/revoke/",
        expect("owner"),
        url_name="accounts:revoke_token",
    ),
    Case(
        "revoke token",
        "POST",
        lambda w: f"/accounts/tokens/{w.olivia_token.public_id}/revoke/",
        expect("owner"),
        lambda w: {"confirm": "yes"},
    ),
    Case("organisations", "GET", lambda w: "/accounts/organisations/", AUTHENTICATED),
    Case(
        "create organisation",
        "POST",
        lambda w: "/accounts/organisations/new/",
        AUTHENTICATED,
        lambda w: {"kind": "merchant", "name_en": "Shop", "country": "CN"},
    ),
    Case(
        "organisation", "GET", lambda w: f"/accounts/organisations/{org(w)}/", MEMBERS_AND_OPERATOR
    ),
    Case(
        "edit organisation",
        "POST",
        lambda w: f"/accounts/organisations/{org(w)}/edit/",
        OWNER_ONLY,
        lambda w: {
            "name_en": "Acme 2",
            "name_zh": "",
            "country": "CN",
            "credit_code": w.acme.credit_code,
        },
    ),
    Case(
        "request verification",
        "POST",
        lambda w: f"/accounts/organisations/{org(w)}/verification/",
        OWNER_ONLY,
    ),
    Case(
        "invite",
        "POST",
        lambda w: f"/accounts/organisations/{org(w)}/invite/",
        OWNER_ONLY,
        lambda w: {"email": "y@example.com", "role": "member"},
    ),
    Case(
        "revoke invitation confirmation page",
        "GET",
        lambda w: f"/accounts/organisations/{org(w)}/invitations/{w.invitation.pk}/revoke/",
        OWNER_ONLY,
        url_name="accounts:revoke_invitation",
    ),
    Case(
        "revoke invitation",
        "POST",
        lambda w: f"/accounts/organisations/{org(w)}/invitations/{w.invitation.pk}/revoke/",
        OWNER_ONLY,
        lambda w: {"confirm": "yes"},
    ),
    Case(
        "change role",
        "POST",
        lambda w: f"/accounts/organisations/{org(w)}/members/{w.bob_membership.pk}/role/",
        OWNER_ONLY,
        lambda w: {"role": "admin"},
    ),
    Case(
        "remove member",
        "POST",
        lambda w: f"/accounts/organisations/{org(w)}/members/{w.bob_membership.pk}/remove/",
        OWNER_ONLY,
    ),
    Case(
        "leave organisation",
        "POST",
        lambda w: (
            f"/accounts/organisations/{org(w)}/members/"
            f"{w.acme.memberships.get(user=w.rita).pk}/remove/"
        ),
        expect("readonly", "owner", sees=("operator",)),
        url_name="accounts:remove_member",
    ),
    Case(
        "create key",
        "POST",
        lambda w: f"/accounts/organisations/{org(w)}/keys/",
        OWNER_ONLY,
        lambda w: {"name": "ERP", "scope": "read", "expires_in_days": "30"},
    ),
    Case(
        "accept invitation",
        "POST",
        lambda w: f"/accounts/invitations/{w.invitation_token}/",
        expect("outsider", "reviewer", "operator", readonly=CONFLICT(), owner=CONFLICT()),
    ),
    Case("reviews", "GET", lambda w: "/accounts/reviews/", AUTHENTICATED),
    Case(
        "review", "GET", lambda w: f"/accounts/reviews/{w.pending.public_id}/", expect("reviewer")
    ),
    Case(
        "decide review",
        "POST",
        lambda w: f"/accounts/reviews/{w.pending.public_id}/",
        expect("reviewer"),
        lambda w: {"approve": "1", "reason": "Checked.", "checked_registry": "on"},
    ),
    Case("audit log", "GET", lambda w: "/accounts/audit/", OPERATOR_ONLY),
]

# Pages anyone may open; not part of the matrix.
PUBLIC_PAGES = {
    "home",
    "healthz",
    "privacy",
    "set_language",
    "accounts:login",
    "accounts:logout",
    "accounts:register",
    "accounts:register_confirm",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
}
PUBLIC_API = {("POST", "/api/v1/people")}
# Pages covered by the matrix under the name of the page they belong to.
# URL name → the case that covers it.
PAGE_NAMES = {
    "accounts:workspace": "workspace",
    "accounts:settings": "settings",
    "accounts:export": "export",
    "accounts:erase": "erase",
    "accounts:tokens": "tokens",
    "accounts:revoke_token": "revoke token",
    "accounts:organisations": "organisations",
    "accounts:create_organisation": "create organisation",
    "accounts:organisation": "organisation",
    "accounts:edit_organisation": "edit organisation",
    "accounts:request_verification": "request verification",
    "accounts:invite": "invite",
    "accounts:revoke_invitation": "revoke invitation",
    "accounts:change_role": "change role",
    "accounts:remove_member": "remove member",
    "accounts:create_key": "create key",
    "accounts:accept_invitation": "accept invitation",
    "accounts:reviews": "reviews",
    "accounts:review": "review",
    "accounts:audit": "audit log",
}


for _case in PAGE_CASES:
    _case.url_name = _case.url_name or next(
        (name for name, case in PAGE_NAMES.items() if case == _case.name), ""
    )

# The apps whose tables these requests write (people, organisations, memberships, invitations and
# tokens): the fingerprint covers them and the audit log.
APPS = ("accounts",)
