"""The Dataspace Protocol 2025-1 endpoints (dsp.py), provider side, at the site's root."""

from django.urls import path

from nomadcloud.datapools import dsp

app_name = "dsp"
BASE = f"dsp/{dsp.VERSION}/"

urlpatterns = [
    path(".well-known/dspace-version", dsp.version, name="version"),
    path(f"{BASE}catalog/request", dsp.catalog_request, name="catalog"),
    path(f"{BASE}catalog/datasets/<str:dataset_id>", dsp.catalog_dataset, name="dataset"),
    path(f"{BASE}negotiations/request", dsp.negotiation_request, name="negotiation-request"),
    path(f"{BASE}negotiations/<str:provider_pid>", dsp.negotiation_get, name="negotiation"),
    path(
        f"{BASE}negotiations/<str:provider_pid>/request",
        dsp.negotiation_counter,
        name="negotiation-counter",
    ),
    path(
        f"{BASE}negotiations/<str:provider_pid>/events",
        dsp.negotiation_event,
        name="negotiation-event",
    ),
    path(
        f"{BASE}negotiations/<str:provider_pid>/agreement/verification",
        dsp.negotiation_verification,
        name="negotiation-verification",
    ),
    path(
        f"{BASE}negotiations/<str:provider_pid>/termination",
        dsp.negotiation_termination,
        name="negotiation-termination",
    ),
    path(f"{BASE}transfers/request", dsp.transfer_request, name="transfer-request"),
    path(f"{BASE}transfers/<str:provider_pid>", dsp.transfer_get, name="transfer"),
    path(
        f"{BASE}transfers/<str:provider_pid>/<str:message>",
        dsp.transfer_message,
        name="transfer-message",
    ),
]
