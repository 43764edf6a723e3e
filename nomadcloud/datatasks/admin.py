from django.contrib import admin

from nomadcloud.datatasks.models import AcceptedWork, Batch, BatchWorker, ResultOverride


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = ("id", "title_zh", "title_en", "organisation", "task_type", "status")
    list_filter = ("status", "task_type")
    raw_id_fields = ("organisation", "created_by", "accepted_by")
    readonly_fields = ("public_id", "file_sha256", "quality", "created_at", "updated_at")


@admin.register(BatchWorker)
class BatchWorkerAdmin(admin.ModelAdmin):
    list_display = ("id", "batch", "worker", "status", "gold_answers", "work_answers")
    list_filter = ("status",)
    raw_id_fields = ("batch", "worker")


@admin.register(ResultOverride)
class ResultOverrideAdmin(admin.ModelAdmin):
    list_display = ("id", "item", "by", "at")
    raw_id_fields = ("item", "by")


@admin.register(AcceptedWork)
class AcceptedWorkAdmin(admin.ModelAdmin):
    list_display = ("id", "batch", "worker", "items_accepted", "amount", "accepted_at")
    raw_id_fields = ("batch", "worker")
