"""Read-only views of the outbox and the applied events, for services that run the admin."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shared.events.models import AppliedEvent, OutboxEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "type", "aggregate_id", "sequence", "occurred_at", "published_at")
    list_filter = ("type", ("published_at", admin.EmptyFieldListFilter))
    search_fields = ("=aggregate_id", "=event_id", "=request_id")
    ordering = ("-id",)


@admin.register(AppliedEvent)
class AppliedEventAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "type", "applied_at")
    list_filter = ("type",)
    search_fields = ("=event_id",)
    ordering = ("-applied_at",)
