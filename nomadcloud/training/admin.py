from django.contrib import admin

from nomadcloud.training.models import Assessment, Enrolment, Scenario


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ("__str__", "organisation", "status", "capacity", "enrolled", "runs_until")
    list_filter = ("status",)
    raw_id_fields = ("organisation", "demand", "created_by")
    readonly_fields = ("enrolled", "published_at", "closed_at")


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("nomad", "scenario", "status", "score", "completed_at")
    list_filter = ("status",)
    raw_id_fields = ("nomad", "scenario")
    readonly_fields = ("score", "completed_at")


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("enrolment", "assessor", "score", "passed", "assessed_at")
    raw_id_fields = ("enrolment", "submission", "assessor")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # assessments are records; a new submission gets a new one
