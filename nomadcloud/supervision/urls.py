from django.urls import path

from nomadcloud.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.task_list, name="list"),
    path("import/", views.import_plan, name="import"),
    path("tasks/<uuid:task_id>/", views.detail, name="detail"),
    path("evaluation/", views.evaluation_page, name="evaluation"),
    path("evaluation.<str:fmt>", views.evaluation_export, name="evaluation_export"),
]
