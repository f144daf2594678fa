"""Celery tasks: thin wrappers that call the services."""

from __future__ import annotations

from celery import shared_task

from accounts.services import password_reset_email_send


@shared_task(name="accounts.tasks.password_reset_email_send_run")
def password_reset_email_send_run(email: str, ip_address: str | None) -> int:
    """A reset asked for on the web: the email, if an account has the address and its
    limit allows. Run twice (a redelivery), it may send a second email, never one past
    the limit."""
    return password_reset_email_send(email=email, ip_address=ip_address)
