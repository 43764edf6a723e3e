from django.urls import path

from nomadcloud.taxonomy import views

app_name = "taxonomy"

urlpatterns = [
    path("", views.search, name="search"),
    path("concepts/<str:code>/", views.concept, name="concept"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:run_id>/", views.import_run, name="import_run"),
]
