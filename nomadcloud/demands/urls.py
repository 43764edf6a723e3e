from django.urls import path

from nomadcloud.demands import views

app_name = "demands"

urlpatterns = [
    path("", views.public_list, name="list"),
    path("feed.json", views.feed_json, name="feed_json"),
    path("feed.rss", views.feed_rss, name="feed_rss"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("organisations/<str:org_id>/", views.organisation_demands, name="organisation"),
    path("organisations/<str:org_id>/new/", views.create, name="create"),
    path("organisations/<str:org_id>/webhook/", views.create_webhook, name="create_webhook"),
    path("organisations/<str:org_id>/feeds/", views.add_feed, name="add_feed"),
    path("feeds/<int:feed_id>/", views.feed, name="feed"),
    path("feeds/<int:feed_id>/sync/", views.sync_now, name="sync_now"),
    path("webhooks/<str:org_id>/", views.webhook, name="webhook"),
    path("applications/mine/", views.my_applications, name="my_applications"),
    path("applications/<str:application_id>/", views.application, name="application"),
    path("applications/<str:application_id>/decide/", views.decide, name="decide"),
    path("applications/<str:application_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<str:demand_id>/", views.detail, name="detail"),
    path("<str:demand_id>/apply/", views.apply, name="apply"),
    path("<str:demand_id>/edit/", views.edit, name="edit"),
    path("<str:demand_id>/status/", views.change_status, name="status"),
    path("<str:demand_id>/tags/", views.add_tag, name="add_tag"),
    path("<str:demand_id>/tags/<int:tag_id>/remove/", views.remove_tag, name="remove_tag"),
]
