from django.apps import AppConfig


class PeriodicConfig(AppConfig):
    name = "shared.periodic"
    label = "shared_periodic"
    verbose_name = "Periodic jobs"
