from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from nomadcloud.accounts import views as accounts_views
from nomadcloud.api import api
from nomadcloud.core import views as core_views
from nomadcloud.proofs import views as proofs_views

admin.site.site_header = "NomadCloud"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("privacy", accounts_views.privacy, name="privacy"),
    path("language", accounts_views.set_language, name="set_language"),
    path("accounts/", include("nomadcloud.accounts.urls")),
    path("notifications/", include("nomadcloud.notifications.urls")),
    path("taxonomy/", include("nomadcloud.taxonomy.urls")),
    path("talent/", include("nomadcloud.talent.urls")),
    path("demands/", include("nomadcloud.demands.urls")),
    path("matching/", include("nomadcloud.matching.urls")),
    path("training/", include("nomadcloud.training.urls")),
    path("orders/", include("nomadcloud.orders.urls")),
    path("datatasks/", include("nomadcloud.datatasks.urls")),
    path("proofs/", include("nomadcloud.proofs.urls")),
    path(".well-known/did.json", proofs_views.did_json, name="did_json"),
    path("points/", include("nomadcloud.points.urls")),
    path("conversations/", include("nomadcloud.conversations.urls")),
    path("services/", include("nomadcloud.onecard.urls")),
    path("risk/", include("nomadcloud.risk.urls")),
    path("teams/", include("nomadcloud.teams.urls")),
    path("bounties/", include("nomadcloud.bounties.urls")),
    path("api/ocds/", include("nomadcloud.bounties.ocds_urls")),
    path("", include("nomadcloud.core.urls")),  # /publicity/, /holidays/ (docs/core-shared.md)
    path("consent/", include("nomadcloud.consent.urls")),
    path("payouts/", include("nomadcloud.payouts.urls")),
    path("incentives/", include("nomadcloud.incentives.urls")),
    path("vouchers/", include("nomadcloud.vouchers.urls")),
    path("datapools/", include("nomadcloud.datapools.urls")),
    path("crossborder/", include("nomadcloud.crossborder.urls")),
    path("valuation/", include("nomadcloud.valuation.urls")),
    path("", include("nomadcloud.datapools.catalogue_urls")),
    path("", include("nomadcloud.datapools.dsp_urls")),
    path("competitions/", include("nomadcloud.competitions.urls")),
    path("communities/", include("nomadcloud.communities.urls")),
    path("dashboard/", include("nomadcloud.dashboard.urls")),
    path("supervision/", include("nomadcloud.supervision.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
