from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "shared.idempotency"
    label = "shared_idempotency"
    verbose_name = "Idempotency keys"
    default_auto_field = "django.db.models.BigAutoField"
