from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from nomadcloud.accounts.models import (
    ApiToken,
    Invitation,
    Membership,
    Organisation,
    User,
    VerificationDecision,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["id"]
    list_display = [
        "display_name",
        "masked_email",
        "masked_phone",
        "is_nomad",
        "nationality",
        "is_active",
        "is_staff",
    ]
    list_filter = ["is_nomad", "is_active", "is_staff", "preferred_language"]
    search_fields = ["display_name", "email", "phone"]
    readonly_fields = [
        "public_id",
        "passport_number_encrypted",
        "erased_at",
        "last_login",
        "date_joined",
    ]
    fieldsets = [
        (None, {"fields": ["public_id", "display_name", "email", "phone", "password"]}),
        (
            _("Nomad and nationality"),
            {
                "fields": [
                    "is_nomad",
                    "nationality",
                    "permit_kind",
                    "permit_valid_from",
                    "permit_valid_until",
                    "passport_number_encrypted",
                ]
            },
        ),
        (_("Preferences"), {"fields": ["preferred_language"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined", "erased_at"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]})
    ]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "country", "credit_code", "verification_status"]
    list_filter = ["kind", "verification_status"]
    search_fields = ["name_zh", "name_en", "credit_code", "code"]
    readonly_fields = ["public_id", "created_at"]
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "organisation",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    exclude = ["token_hash"]
    readonly_fields = [
        "organisation",
        "email",
        "role",
        "invited_by",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]


@admin.register(VerificationDecision)
class VerificationDecisionAdmin(admin.ModelAdmin):
    list_display = [
        "organisation",
        "approved",
        "decided_by",
        "decided_for",
        "decided_at",
        "rule_version",
    ]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "prefix",
        "scope",
        "user",
        "organisation",
        "created_at",
        "revoked_at",
    ]
    exclude = ["secret_hash"]
    readonly_fields = [
        "kind",
        "user",
        "organisation",
        "prefix",
        "scope",
        "created_by",
        "expires_at",
        "last_used_at",
    ]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # tokens are created by their owners, who see the secret once
