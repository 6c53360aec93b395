from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "shared.events"
    label = "shared_events"
    verbose_name = "Events (outbox and applied events)"
    default_auto_field = "django.db.models.BigAutoField"
