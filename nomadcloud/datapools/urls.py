from django.urls import path

from nomadcloud.datapools import views

app_name = "datapools"

urlpatterns = [
    path("", views.pool_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("<str:pool_id>/", views.pool_detail, name="pool"),
    path("<str:pool_id>/contribute/", views.contribute, name="contribute"),
    path("<str:pool_id>/<str:move>/", views.act, name="act"),
]
