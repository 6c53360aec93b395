"""The one view shape of every list of users drawn from relationship rows (followers,
following, follow requests, blocks, mutes): a page of rows shown as the users on one side of
them, newest first."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from authors.api.serializers import UserSummarySerializer
from shared.pagination import KeysetPagination


class UserPageView(APIView):
    """Subclasses say which rows (`rows`, cursor-paginated on ("-created_at", "-id")) and which
    side of them is shown (`shown`, a user id column). One query for the page and one for the
    users' summaries, whatever the page size."""

    pagination_class = KeysetPagination
    shown = "user_id"

    def rows(self, request: Request, **kwargs: Any) -> QuerySet:
        raise NotImplementedError

    def explain_empty(self, request: Request, **kwargs: Any) -> None:
        """Raise an error when an empty page means the caller may not see the list."""

    @extend_schema(responses=UserSummarySerializer(many=True))
    def get(self, request: Request, **kwargs: Any) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(self.rows(request, **kwargs), request, view=self)
        if not page:
            self.explain_empty(request, **kwargs)
        users = UserSummarySerializer([getattr(row, self.shown) for row in page], many=True)
        return paginator.get_paginated_response(users.data)
