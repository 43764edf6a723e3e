"""Background jobs of the orders app (run by `nomadcloud db_worker` in production). Schedule
both daily (or hourly); each is idempotent."""

from __future__ import annotations

from django_tasks import task


@task()
def accept_overdue_orders() -> list[str]:
    """Accept delivered work whose review window (ORDER_REVIEW_WINDOW_DAYS) has passed."""
    from nomadcloud.orders import services

    return [str(order.public_id) for order in services.auto_accept_due()]


@task()
def send_order_reminders() -> dict[str, int]:
    """Remind nomads of milestones due soon, and both parties of overdue ones."""
    from nomadcloud.orders import services

    return services.send_reminders()
