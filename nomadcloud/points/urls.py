"""Pages of the points app: the person's wallet (exchange, statement), the zone operator's
programme page, and (merchants/urls.py) paying, the cashier and merchants."""

from django.urls import URLPattern, URLResolver, include, path

from nomadcloud.points.programme import views as operator_views
from nomadcloud.points.wallet import views as wallet_views

app_name = "points"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", wallet_views.wallet_page, name="wallet"),
    path("exchange/", wallet_views.exchange_view, name="exchange"),
    path("statement.csv", wallet_views.statement_csv, name="statement_csv"),
    path("operator/", operator_views.operator_page, name="operator"),
    path("operator/scenarios/", operator_views.create_scenario, name="operator_scenario_create"),
    path(
        "operator/scenarios/<slug:code>/",
        operator_views.edit_scenario,
        name="operator_scenario_edit",
    ),
    path("operator/rates/", operator_views.publish_rate, name="operator_rate_publish"),
    path("operator/rules/", operator_views.publish_rule, name="operator_rule_publish"),
    path("operator/campaigns/", operator_views.publish_campaign, name="operator_campaign_publish"),
    path("operator/programmes/", operator_views.authorise_programme, name="operator_programme"),
    path("", include("nomadcloud.points.merchants.urls")),  # pay, cashier, merchants
]
