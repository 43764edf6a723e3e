from django.contrib import admin

from nomadcloud.orders.models import Conversion, Dispute, Order, OrderEvent, Settlement


class EventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "role", "actor", "reason", "at")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Read-mostly: the state, the total and the nomad change only through the services
    (the transition table), so they are read-only here."""

    list_display = ("__str__", "organisation", "status", "total", "nomad", "updated_at")
    list_filter = ("status",)
    raw_id_fields = ("organisation", "demand", "nomad", "created_by")
    readonly_fields = (
        "status",
        "total",
        "nomad",
        "revision_count",
        "published_at",
        "delivered_at",
        "accepted_at",
        "accepted_automatically",
        "settled_at",
        "closed_at",
    )
    inlines = [EventInline]


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    list_display = ("order", "opened_as", "outcome", "to_nomad", "to_enterprise", "decided_at")
    raw_id_fields = ("order", "opened_by", "decided_by")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # decided through the operator's page or the API


@admin.register(Settlement)
class SettlementAdmin(admin.ModelAdmin):
    list_display = ("order", "basis", "total", "to_nomad", "to_enterprise", "recorded_at")
    raw_id_fields = ("order", "dispute", "recorded_by")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Conversion)
class ConversionAdmin(admin.ModelAdmin):
    list_display = ("kind", "organisation", "nomad", "occurred_on", "one_year_or_more")
    list_filter = ("kind", "one_year_or_more")
    raw_id_fields = ("organisation", "nomad", "order", "enrolment", "recorded_by")
    readonly_fields = ("term_months", "term_days", "one_year_or_more", "occurred_on")
