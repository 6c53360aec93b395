"""/api/v1/reports, /api/v1/moderation/reports and /api/v1/moderation/reports/{id}/resolve."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAdminUser, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from authors.api.mixins import RememberCallerMixin
from moderation.api.serializers import ModerationReportSerializer, ReportSerializer
from moderation.models import NOTE_MAX_LENGTH, ModerationAction, Report, TargetType
from moderation.selectors import get_report, moderation_queue
from moderation.services import report_target, resolve_report
from shared.ids import IdField
from shared.pagination import KeysetPagination

# Staff only: `is_staff` in the caller's access token (shared.tokens checks it is a boolean).
# Anonymous callers are 401 (IsAuthenticated first), signed-in non-staff 403.
MODERATORS = [IsAuthenticated, IsAdminUser]


class ReportListView(RememberCallerMixin, APIView):
    """POST reports a post, a comment or a user (201; 200 with the open report already made)."""

    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="ReportCreate")
    class InputSerializer(serializers.Serializer):
        target_type = serializers.ChoiceField(choices=TargetType.choices)
        target_id = IdField()
        reason = serializers.ChoiceField(choices=Report.Reason.choices)
        note = serializers.CharField(
            max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default=""
        )

    @extend_schema(
        request=InputSerializer, responses={201: ReportSerializer, 200: ReportSerializer}
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report, created = report_target(reporter_id=request.user.id, **data.validated_data)
        return Response(
            ReportSerializer(report).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class OldestFirstPagination(KeysetPagination):
    ordering = ("created_at", "id")


class ModerationReportListView(generics.ListAPIView):
    """The moderation queue: reports in `?status=` (open by default), oldest first."""

    permission_classes = MODERATORS
    serializer_class = ModerationReportSerializer
    pagination_class = OldestFirstPagination

    class QuerySerializer(serializers.Serializer):
        status = serializers.ChoiceField(
            choices=Report.Status.choices, required=False, default=Report.Status.OPEN
        )

    @extend_schema(
        parameters=[OpenApiParameter("status", enum=Report.Status.values, required=False)]
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Report]:
        query = self.QuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return moderation_queue(status=query.validated_data["status"])


class ResolveReportView(APIView):
    """POST resolves the report, and every open report on its target, by `action`."""

    permission_classes = MODERATORS

    @extend_schema_serializer(component_name="ReportResolve")
    class InputSerializer(serializers.Serializer):
        action = serializers.ChoiceField(choices=ModerationAction.Action.choices)

    @extend_schema(request=InputSerializer, responses={200: ModerationReportSerializer})
    def post(self, request: Request, report_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resolve_report(report_id=report_id, moderator_id=request.user.id, **data.validated_data)
        report = get_report(report_id)
        if report is None:
            raise NotFound("No report with that id.")
        return Response(ModerationReportSerializer(report).data)
