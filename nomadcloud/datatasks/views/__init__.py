"""Pages for data-processing work: the nomads' list of open batches, the enterprise's batches,
creating a batch from a file, the batch page (the enterprise's side and the worker's side),
the keyboard-driven work page, reviewing and correcting results, exports and acceptance.
Views fetch objects through the access chokepoints, parse input with a form and call one
service.

One module per part: ``lists``, ``batch``, ``review``, ``working`` (the work page: not
``work``, the name of a view here), ``appeals``, and ``uploads`` (a size limit enforced while
a file arrives); ``_common`` holds what they share. urls.py names the views of this package.
"""

from nomadcloud.datatasks.views._common import ITEMS_PAGE_SIZE, PAGE_SIZE, View
from nomadcloud.datatasks.views.appeals import appeal, appeals, decide
from nomadcloud.datatasks.views.batch import accept, aggregate, change_status, detail, edit, upload
from nomadcloud.datatasks.views.lists import create, index, organisation
from nomadcloud.datatasks.views.review import export_csv, export_jsonl, item, items, override
from nomadcloud.datatasks.views.uploads import LimitedUpload, limited_uploads
from nomadcloud.datatasks.views.working import answer, join, next_item, skip, work

__all__ = [
    "ITEMS_PAGE_SIZE",
    "PAGE_SIZE",
    "LimitedUpload",
    "View",
    "accept",
    "aggregate",
    "answer",
    "appeal",
    "appeals",
    "change_status",
    "create",
    "decide",
    "detail",
    "edit",
    "export_csv",
    "export_jsonl",
    "index",
    "item",
    "items",
    "join",
    "limited_uploads",
    "next_item",
    "organisation",
    "override",
    "skip",
    "upload",
    "work",
]
