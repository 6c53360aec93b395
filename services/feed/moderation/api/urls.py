"""Reports and moderation under /api/v1/."""

from django.urls import path

from moderation.api import reports
from shared import ids  # noqa: F401 - registers the <id:...> converter

urlpatterns = [
    path("reports", reports.ReportListView.as_view(), name="report-list"),
    path(
        "moderation/reports",
        reports.ModerationReportListView.as_view(),
        name="moderation-report-list",
    ),
    path(
        "moderation/reports/<id:report_id>/resolve",
        reports.ResolveReportView.as_view(),
        name="moderation-report-resolve",
    ),
]
