from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users and organisations"

    def ready(self) -> None:
        # Imported here: signal receivers may import models, which ready() is the
        # first moment they can be.
        from django.contrib.auth.signals import user_logged_in

        from accounts.sessions import session_start_clocks_on_sign_in
        from trackerapp import after_response

        user_logged_in.connect(
            session_start_clocks_on_sign_in, dispatch_uid="accounts.session_start_clocks"
        )
        # Password-reset emails, with no Celery broker (accounts.services).
        after_response.connect()
