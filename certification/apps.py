from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = _("Certification")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registered on import: the system checks, the sign-in failure counters' receivers, the
        # audit of a stored file that failed its check, and the schema's description of the
        # portal's token authentication.
        from certification import checks, signin  # noqa: F401
        from certification.api import schema  # noqa: F401
        from certification.services import integrity  # noqa: F401
