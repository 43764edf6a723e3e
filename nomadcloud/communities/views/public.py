"""The public pages of communities: the list and a community's page (no personal data)."""

from __future__ import annotations

from datetime import timedelta

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from nomadcloud.communities import access, queries
from nomadcloud.communities.forms import (
    BookingForm,
)
from nomadcloud.communities.models import Amenity
from nomadcloud.communities.views._common import _unit_rows
from nomadcloud.core.pages import domain_errors

# ---- public -------------------------------------------------------------------------------


def community_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(queries.listed_communities(), 50).get_page(request.GET.get("page"))
    return render(request, "communities/list.html", {"page": page})


@domain_errors
def community_detail(request: HttpRequest, community_id: str) -> HttpResponse:
    community = access.public_community(community_id)
    units = _unit_rows(community, only_active=True)
    if request.user.is_authenticated:
        today = timezone.localdate()
        for row in units:
            form = BookingForm(
                initial={
                    "unit_type": row["unit"].public_id,
                    "start": today + timedelta(days=1),
                    "end": today + timedelta(days=8),
                },
                auto_id=f"id_{row['unit'].public_id.hex[:8]}_%s",
            )
            form.fields["rate_plan"].widget.choices = [
                (str(p["plan"].public_id), f"{p['plan'].name_text} · {p['price']}")
                for p in row["plans"]
            ]
            row["form"] = form
    return render(
        request,
        "communities/detail.html",
        {
            "community": community,
            "units": units,
            "reviews": queries.public_reviews(community)[:20],
            "amenities": [
                label for code, label in _amenity_labels() if code in community.amenities
            ],
        },
    )


def _amenity_labels() -> list[tuple[str, str]]:
    return [(str(code), str(label)) for code, label in Amenity.choices]
