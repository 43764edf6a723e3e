"""The interoperable catalogue at the site's root: the CKAN Action API (``/api/3/action/``
and ``/api/action/``) and the DCAT-AP export (``/catalog.ttl``, ``/dataset/<id>.ttl``…)."""

from django.urls import path

from nomadcloud.datapools import ckan, dcat

app_name = "catalogue"

urlpatterns = [
    path("api/3/action/<str:name>", ckan.action, name="ckan"),
    path("api/action/<str:name>", ckan.action, name="ckan_unversioned"),
    path("catalog.<str:fmt>", dcat.catalog, name="catalog"),
    path("dataset/<str:pool_id>.<str:fmt>", dcat.dataset, name="dataset"),
]
