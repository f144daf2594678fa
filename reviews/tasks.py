"""Celery tasks for reviews: thin wrappers that call the services."""

from __future__ import annotations

from celery import shared_task

from reviews import services


# A recompute of 10,000 recommendations takes seconds (bench/bench_similarity.py); the
# limit is the last resort against a runaway one.
@shared_task(name="reviews.tasks.similarities_recompute_run", time_limit=600)
def similarities_recompute_run() -> int:
    """Recomputes the similar recommendations if anything was written since the last
    run; otherwise does nothing. Safe to run twice at once (the second waits for the
    first, then finds nothing to do). Returns the number of pairs stored."""
    return services.similarities_recompute().pair_count
