from django.urls import path

from nomadcloud.datapools import template_views, upload_views, views

app_name = "datapools"

urlpatterns = [
    path("", views.pool_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("propose/", views.propose, name="propose"),
    path("negotiations/", views.negotiation_list, name="negotiations"),
    path("scenarios/", views.scenario_list, name="scenarios"),
    path("scenarios/new/", views.scenario_add, name="scenario-add"),
    path("scenarios/<str:scenario_id>/", views.scenario_detail, name="scenario"),
    path("negotiations/<str:negotiation_id>/", views.negotiation_detail, name="negotiation"),
    path(
        "negotiations/<str:negotiation_id>/aggregate/",
        views.run_aggregate,
        name="aggregate",
    ),
    # Query templates and downloads (decision 0048), before the catch-all moves below.
    path(
        "negotiations/<str:negotiation_id>/templates/",
        template_views.run_templates,
        name="template-runs",
    ),
    path(
        "negotiations/<str:negotiation_id>/download/",
        template_views.issue_download,
        name="issue-download",
    ),
    path(
        "negotiations/<str:negotiation_id>/download/revoke/",
        template_views.revoke_downloads,
        name="revoke-downloads",
    ),
    path("downloads/<str:token>/", template_views.download, name="download"),
    path(
        "download-links/<str:link_id>/revoke/",
        template_views.revoke_link,
        name="revoke-link",
    ),
    # Presigned uploads of contributions (decision 0058).
    path("uploads/<str:token>/put/", upload_views.upload_put, name="upload-put"),
    path(
        "upload-slots/<str:slot_id>/complete/",
        upload_views.upload_complete,
        name="upload-complete",
    ),
    path(
        "templates/<str:template_id>/<str:action>/",
        template_views.decide_template,
        name="template-decision",
    ),
    path(
        "negotiations/<str:negotiation_id>/<str:action>/",
        views.negotiation_move,
        name="negotiation-move",
    ),
    path("<str:pool_id>/", views.pool_detail, name="pool"),
    path("<str:pool_id>/contribute/", views.contribute, name="contribute"),
    path("<str:pool_id>/upload-slots/", upload_views.upload_slot, name="upload-slot"),
    path("<str:pool_id>/charter/", views.charter_edit, name="charter"),
    path("<str:pool_id>/request/", views.request_access, name="request"),
    path("<str:pool_id>/templates/", template_views.pool_templates, name="templates"),
    path("<str:pool_id>/<str:move>/", views.act, name="act"),
]
