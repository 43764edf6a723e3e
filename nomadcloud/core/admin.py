from django.contrib import admin

from nomadcloud.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Browse and filter only: the audit log cannot be changed through the app."""

    list_display = [
        "created_at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "organisation",
        "channel",
        "request_id",
    ]
    list_filter = ["channel", "object_type"]
    search_fields = ["action", "object_id", "request_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
