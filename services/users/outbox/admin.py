"""Read-only view of the outbox for operators: what is pending, what failed and why."""

from django.contrib import admin
from django.http import HttpRequest

from outbox.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("id", "type", "user_id", "occurred_at", "delivered_at", "attempts")
    list_filter = ("type", ("delivered_at", admin.EmptyFieldListFilter))
    search_fields = ("=user_id",)
    ordering = ("-id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False
