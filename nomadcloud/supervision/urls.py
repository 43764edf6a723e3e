from django.urls import path

from nomadcloud.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.task_list, name="list"),
    path("import/", views.import_plan, name="import"),
    path("tasks/<uuid:task_id>/", views.detail, name="detail"),
]
