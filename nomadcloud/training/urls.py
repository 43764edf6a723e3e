from django.urls import path

from nomadcloud.training import views

app_name = "training"

urlpatterns = [
    path("", views.scenario_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("organisations/<str:org_id>/", views.organisation_scenarios, name="organisation"),
    path("organisations/<str:org_id>/new/", views.create, name="create"),
    path("enrolments/<str:enrolment_id>/", views.enrolment, name="enrolment"),
    path("enrolments/<str:enrolment_id>/withdraw/", views.withdraw, name="withdraw"),
    path("enrolments/<str:enrolment_id>/submit/", views.submit, name="submit"),
    path("enrolments/<str:enrolment_id>/assess/", views.assess, name="assess"),
    path(
        "enrolments/<str:enrolment_id>/files/<int:file_id>/",
        views.submission_file,
        name="submission_file",
    ),
    path("<str:scenario_id>/", views.detail, name="detail"),
    path("<str:scenario_id>/edit/", views.edit, name="edit"),
    path("<str:scenario_id>/publish/", views.publish, name="publish"),
    path("<str:scenario_id>/close/", views.close, name="close"),
    path("<str:scenario_id>/enrol/", views.enrol, name="enrol"),
    path("<str:scenario_id>/materials/", views.add_material, name="add_material"),
    path("<str:scenario_id>/materials/<int:material_id>/", views.material, name="material"),
    path(
        "<str:scenario_id>/materials/<int:material_id>/remove/",
        views.remove_material,
        name="remove_material",
    ),
]
