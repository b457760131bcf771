"""Background work of delegation (DELEG-2): thin tasks over services."""

from __future__ import annotations

from celery import shared_task

from delegation import services


@shared_task(name="delegation.expire_relationship_requests", ignore_result=True)
def expire_relationship_requests() -> int:
    """Periodic (beat, hourly): requests unanswered for 30 days expire. Idempotent."""
    return services.relationships_expire()
