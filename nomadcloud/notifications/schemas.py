"""Typed API input and output of notifications."""

from datetime import datetime

from ninja import Field, Schema

from nomadcloud.core.schemas import Input
from nomadcloud.notifications.models import Notification


class NotificationOut(Schema):
    id: int
    kind: str
    title: str = Field(..., description="In the request's language.")
    body: str = Field(..., description="In the request's language.")
    params: dict[str, str]
    url: str
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_title(obj: Notification) -> str:
        return obj.title()

    @staticmethod
    def resolve_body(obj: Notification) -> str:
        return obj.body()

    @staticmethod
    def resolve_params(obj: Notification) -> dict[str, str]:
        return {str(k): str(v) for k, v in dict(obj.params).items()}


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


class PreferenceOut(Schema):
    kind: str
    label: str
    email: bool


class PreferencesIn(Input):
    email: dict[str, bool] = Field(
        ..., description="Kind → whether to send e-mail; kinds not named keep their setting."
    )
