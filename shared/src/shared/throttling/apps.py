from django.apps import AppConfig


class ThrottlingConfig(AppConfig):
    name = "shared.throttling"
    label = "shared_throttling"
    verbose_name = "Rate limits"
    default_auto_field = "django.db.models.BigAutoField"
