from django.urls import path

from nomadcloud.payouts import views

app_name = "payouts"

urlpatterns = [
    path("", views.index, name="index"),
    path("budgets/<str:budget_id>/", views.budget, name="budget"),
    path("<str:payout_id>/", views.payout, name="payout"),
    path("<str:payout_id>/move/", views.move, name="move"),
]
