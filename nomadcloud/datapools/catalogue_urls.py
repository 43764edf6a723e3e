"""The interoperable catalogue at the site's root: the CKAN Action API (``/api/3/action/``
and ``/api/action/``), the DCAT-AP export (``/catalog.ttl``, ``/dataset/<id>.ttl``…) and the
ODCS data contracts (``/dataset/<id>/v<n>/contract.yaml``)."""

from django.urls import path

from nomadcloud.datapools import ckan, contracts, dcat

app_name = "catalogue"

urlpatterns = [
    path("api/3/action/<str:name>", ckan.action, name="ckan"),
    path("api/action/<str:name>", ckan.action, name="ckan_unversioned"),
    path("catalog.<str:fmt>", dcat.catalog, name="catalog"),
    path("dataset/<str:pool_id>.<str:fmt>", dcat.dataset, name="dataset"),
    # Each released version's ODCS v3 data contract (decision 0062).
    path(
        "dataset/<str:pool_id>/v<int:number>/contract.<str:fmt>",
        contracts.contract_view,
        name="contract",
    ),
]
