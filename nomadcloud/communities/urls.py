"""Pages of communities under /communities/ (names in the ``communities`` namespace)."""

from django.urls import path

from nomadcloud.communities import views, views_more

app_name = "communities"

urlpatterns = [
    path("", views.community_list, name="list"),
    path("bookings/", views.my_bookings, name="my_bookings"),
    path("bookings/<uuid:booking_id>/", views.booking_detail, name="booking"),
    path("bookings/<uuid:booking_id>/extend/", views.booking_extend, name="booking_extend"),
    path("bookings/<uuid:booking_id>/review/", views.booking_review, name="booking_review"),
    path("bookings/<uuid:booking_id>/<slug:action>/", views.booking_action, name="booking_action"),
    path("registrations/", views.police, name="police"),
    path(
        "registrations/<uuid:registration_id>/file/",
        views.registration_file,
        name="registration_file",
    ),
    path("visits/", views.visit_statistics, name="visits"),
    path("designations/", views_more.designations, name="designations"),
    path("statistics/", views_more.statistics_overview, name="statistics_overview"),
    path("authorities/", views_more.authorities_page, name="authorities"),
    path("new/<uuid:org_id>/", views.community_create, name="create"),
    path("<uuid:community_id>/", views.community_detail, name="detail"),
    path("<uuid:community_id>/calendar.ics", views_more.calendar_ics, name="calendar_ics"),
    path("<uuid:community_id>/book/", views.book, name="book"),
    path("<uuid:community_id>/manage/", views.manage, name="manage"),
    path("<uuid:community_id>/units/", views.unit_add, name="unit_add"),
    path("<uuid:community_id>/units/<uuid:unit_id>/count/", views.unit_count, name="unit_count"),
    path("<uuid:community_id>/units/<uuid:unit_id>/rates/", views.rate_add, name="rate_add"),
    path("<uuid:community_id>/rates/<uuid:rate_id>/retire/", views.rate_retire, name="rate_retire"),
    path("<uuid:community_id>/bookings/", views.bookings, name="bookings"),
    path("<uuid:community_id>/check-in/", views.check_in_page, name="check_in"),
    path("<uuid:community_id>/walk-in/", views.walk_in_page, name="walk_in"),
    path("<uuid:community_id>/import/", views.import_page, name="import"),
    path("<uuid:community_id>/events/", views_more.events, name="events"),
    path("<uuid:community_id>/calendars/", views_more.calendars, name="calendars"),
    path("<uuid:community_id>/statistics/", views_more.statistics_page, name="statistics"),
    path("<uuid:community_id>/designation/", views_more.designation_page, name="designation"),
    path(
        "<uuid:community_id>/designation/<slug:action>/",
        views_more.designation_move,
        name="designation_move",
    ),
]
