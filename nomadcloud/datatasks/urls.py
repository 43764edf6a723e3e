from django.urls import path

from nomadcloud.datatasks import views

app_name = "datatasks"

urlpatterns = [
    path("", views.index, name="list"),
    path("organisations/<str:org_id>/", views.organisation, name="organisation"),
    path("organisations/<str:org_id>/new/", views.create, name="create"),
    path("<str:batch_id>/", views.detail, name="detail"),
    path("<str:batch_id>/edit/", views.edit, name="edit"),
    path("<str:batch_id>/upload/", views.upload, name="upload"),
    path("<str:batch_id>/status/", views.change_status, name="status"),
    path("<str:batch_id>/aggregate/", views.aggregate, name="aggregate"),
    path("<str:batch_id>/accept/", views.accept, name="accept"),
    path("<str:batch_id>/items/", views.items, name="items"),
    path("<str:batch_id>/items/<int:item_id>/", views.item, name="item"),
    path("<str:batch_id>/items/<int:item_id>/override/", views.override, name="override"),
    path("<str:batch_id>/export.csv", views.export_csv, name="export_csv"),
    path("<str:batch_id>/export.jsonl", views.export_jsonl, name="export_jsonl"),
    path("<str:batch_id>/join/", views.join, name="join"),
    path("<str:batch_id>/work/", views.work, name="work"),
    path("<str:batch_id>/work/next/", views.next_item, name="next"),
    path("<str:batch_id>/work/<int:assignment_id>/answer/", views.answer, name="answer"),
    path("<str:batch_id>/work/<int:assignment_id>/skip/", views.skip, name="skip"),
    path("<str:batch_id>/answers/<int:answer_id>/appeal/", views.appeal, name="appeal"),
    path("<str:batch_id>/appeals/", views.appeals, name="appeals"),
    path("<str:batch_id>/appeals/<int:appeal_id>/decide/", views.decide, name="decide"),
]
