from django.urls import path

from nomadcloud.valuation import views, views_books

app_name = "valuation"

urlpatterns = [
    path("", views.valuation_list, name="list"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<str:alert_id>/", views.alert_detail, name="alert"),
    path("alerts/<str:alert_id>/<str:move>/", views.alert_act, name="alert_act"),
    path("books/<str:holder_id>/", views_books.books_page, name="books"),
    path("books/<str:holder_id>/entries/", views_books.books_entry, name="books_entry"),
    path(
        "books/<str:holder_id>/rollforward.<str:fmt>",
        views_books.books_export,
        name="books_export",
    ),
    path("<str:valuation_id>/", views.valuation_detail, name="detail"),
    path("<str:valuation_id>/recognise/", views_books.recognise_page, name="recognise"),
    path("<str:valuation_id>/steps/<str:slug>/", views.step, name="step"),
    path("<str:valuation_id>/snapshot.json", views.snapshot_json, name="snapshot"),
    path("<str:valuation_id>/snapshot.pdf", views.snapshot_pdf, name="snapshot_pdf"),
    path("<str:valuation_id>/<str:move>/", views.act, name="act"),
]
