"""The contract's output shapes of reports: the reporter's view, and the moderator's."""

from rest_framework import serializers

from authors.api.serializers import SummarizedListSerializer, summary_for
from authors.client import UserSummary
from moderation.models import Report


class ReportSerializer(serializers.ModelSerializer):
    """A report as its reporter sees it."""

    class Meta:
        model = Report
        fields = ["id", "target_type", "target_id", "reason", "note", "status", "created_at"]
        read_only_fields = fields


class ModerationReportSerializer(ReportSerializer):
    """A report in the moderation queue. Expects reports from `moderation.selectors`."""

    reporter = serializers.SerializerMethodField()
    report_count = serializers.IntegerField(read_only=True)
    # How it was resolved (null while open): the action and who took it.
    action = serializers.CharField(source="resolution.action", read_only=True, default=None)
    resolved_by = serializers.IntegerField(
        source="resolution.moderator_id", read_only=True, default=None
    )

    class Meta(ReportSerializer.Meta):
        list_serializer_class = SummarizedListSerializer
        fields = [
            *ReportSerializer.Meta.fields,
            "reporter",
            "report_count",
            "resolved_at",
            "action",
            "resolved_by",
        ]
        read_only_fields = fields

    def user_id_of(self, report: Report) -> int:
        return report.reporter_id

    def get_reporter(self, report: Report) -> UserSummary:
        return summary_for(self.context, report.reporter_id)
