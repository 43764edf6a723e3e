"""A read subset of the CKAN Action API (CKAN 2.11) over the public pool catalogue, at
``/api/3/action/<name>`` and ``/api/action/<name>``: GET with query parameters or POST with
a JSON object, CKAN's envelope (``help``, ``success``, ``result`` | ``error`` with
``__type``) and its error statuses, no redirects. Written from the documented contract
(CKAN is AGPL-3.0; nothing copied). docs/datapools.md lists what each action answers."""

from .http import action
from .packages import PAGES, dumps, package

__all__ = ["PAGES", "action", "dumps", "package"]
