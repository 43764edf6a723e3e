from django.urls import path

from nomadcloud.conversations import views

app_name = "conversations"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("demands/<str:demand_id>/people/", views.people, name="people"),
    path("<str:conversation_id>/", views.detail, name="detail"),
    path("<str:conversation_id>/order/", views.convert, name="convert"),
    path("<str:conversation_id>/files/<int:attachment_id>/", views.attachment, name="attachment"),
]
