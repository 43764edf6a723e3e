from django.urls import path

from nomadcloud.onecard import views, views_editor

app_name = "onecard"

urlpatterns = [
    path("", views.catalogue_page, name="catalogue"),
    path("catalog.jsonld", views.catalogue_jsonld, name="catalogue_jsonld"),
    path("card/", views.card, name="card"),
    path("mine/", views.mine, name="mine"),
    path("scan/", views.scan, name="scan"),
    path("manage/", views.manage, name="manage"),
    path("manage/<str:code>/edit/", views_editor.edit_item, name="edit_item"),
    path("manage/<str:code>/<str:action>/", views.move_item, name="move_item"),
    path("journeys/<str:key>/", views.journey_page, name="journey"),
    path("departments/<str:org_id>/queue/", views.queue, name="queue"),
    path("applications/<str:application_id>/", views.application_page, name="application"),
    path("applications/<str:application_id>/result.json", views.result, name="result"),
    path(
        "applications/<str:application_id>/files/<int:pk>/",
        views.material_file,
        name="material_file",
    ),
    path("applications/<str:application_id>/<str:action>/", views.act, name="act"),
    path("<str:code>.jsonld", views.item_jsonld, name="item_jsonld"),
    path("<str:code>/", views.item_page, name="item"),
    path("<str:code>/apply/", views.start, name="start"),
]
