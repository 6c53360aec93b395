"""Reads of reports: the moderation queue, with what each row needs computed in its query."""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from moderation.models import Report


def _open_reports_on_target() -> Subquery:
    """How many open reports the outer row's target has: one probe of reports_open_on_target."""
    return Subquery(
        Report.objects.filter(
            target_type=OuterRef("target_type"),
            target_id=OuterRef("target_id"),
            status=Report.Status.OPEN,
        )
        .order_by()
        .values("target_type")
        .annotate(n=Count("*"))
        .values("n"),
        output_field=IntegerField(),
    )


def report_queryset() -> QuerySet[Report]:
    """The base queryset of every report a moderator reads: `report_count` and the resolving
    action in the same query (the reporter's summary comes from the replica, batched per page)."""
    return Report.objects.select_related("resolution").annotate(
        report_count=Coalesce(_open_reports_on_target(), Value(0))
    )


def moderation_queue(*, status: str) -> QuerySet[Report]:
    """Reports in `status`, for the queue; the paginator orders them oldest first."""
    return report_queryset().filter(status=status)


def get_report(report_id: int) -> Report | None:
    return report_queryset().filter(pk=report_id).first()
