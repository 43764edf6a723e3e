"""Pages of communities: the public list and page (no personal data), the nomad's bookings,
the community operator's desk (listing, units and rates, bookings, check-in, walk-in,
imports), public security's registration queue and the visit statistics. Views fetch
through ``access.py``, parse with a form and call one service.

One module per audience: ``public``, ``nomad``, ``operator``, ``oversight``; ``_common``
holds what they share. urls.py names the views of this package.
"""

from nomadcloud.communities.views._common import AVAILABILITY_DAYS
from nomadcloud.communities.views.nomad import (
    ACTIONS,
    book,
    booking_action,
    booking_detail,
    booking_extend,
    booking_review,
    my_bookings,
)
from nomadcloud.communities.views.operator import (
    bookings,
    check_in_page,
    community_create,
    import_page,
    manage,
    rate_add,
    rate_retire,
    registration_file,
    unit_add,
    unit_count,
    walk_in_page,
)
from nomadcloud.communities.views.oversight import police, visit_statistics, workspace_link
from nomadcloud.communities.views.public import community_detail, community_list

__all__ = [
    "ACTIONS",
    "AVAILABILITY_DAYS",
    "book",
    "booking_action",
    "booking_detail",
    "booking_extend",
    "booking_review",
    "bookings",
    "check_in_page",
    "community_create",
    "community_detail",
    "community_list",
    "import_page",
    "manage",
    "my_bookings",
    "police",
    "rate_add",
    "rate_retire",
    "registration_file",
    "unit_add",
    "unit_count",
    "visit_statistics",
    "walk_in_page",
    "workspace_link",
]
