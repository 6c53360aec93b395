from django.apps import AppConfig


class RevocationConfig(AppConfig):
    name = "shared.revocation"
    label = "shared_revocation"
    verbose_name = "Ended sign-ins"
    default_auto_field = "django.db.models.BigAutoField"
