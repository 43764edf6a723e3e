"""Pages of the points app (none yet: the wallet, cashier and operator pages come later)."""

from django.urls import URLPattern

app_name = "points"

urlpatterns: list[URLPattern] = []
