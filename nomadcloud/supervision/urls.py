from django.urls import path

from nomadcloud.supervision import views, views_office

app_name = "supervision"

urlpatterns = [
    path("", views.task_list, name="list"),
    path("import/", views_office.import_plan, name="import"),
    path("tasks/<uuid:task_id>/", views.detail, name="detail"),
    path("tasks/<uuid:task_id>/milestones.ics", views.task_calendar, name="task_calendar"),
    path("milestones/<uuid:milestone_id>/", views.milestone_page, name="milestone"),
    path("units/<uuid:unit_id>/calendar.ics", views.unit_calendar, name="unit_calendar"),
    path("evaluation/", views_office.evaluation_page, name="evaluation"),
    path("evaluation.<str:fmt>", views_office.evaluation_export, name="evaluation_export"),
]
