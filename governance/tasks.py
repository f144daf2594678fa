"""Celery tasks for committee papers: thin wrappers that call the services."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from governance import services


@shared_task(
    name="governance.tasks.paper_build",
    time_limit=settings.PAPER_BUILD_TIME_LIMIT,
    soft_time_limit=settings.PAPER_BUILD_TIME_LIMIT - 10,
)
def paper_build(paper_id: int) -> str:
    """Builds a draft or renders an issued paper. A second run of the same issue finds
    the paper already issued and does nothing."""
    paper = services.paper_build(paper_id=paper_id)
    return paper.build_state
