from django.apps import AppConfig


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        # Imported here: the receivers import models, loadable only once apps are ready.
        from audit import receivers

        receivers.connect()
