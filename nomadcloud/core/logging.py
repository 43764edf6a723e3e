import logging

from nomadcloud.core.request_context import current_request_id


class RequestIdFilter(logging.Filter):
    """Adds the current request id to every log record (``-`` outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True
