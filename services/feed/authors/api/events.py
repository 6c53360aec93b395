"""/internal/v1/events: account events pushed by the users service's outbox dispatcher."""

import logging

from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from actions.accounts import AccountEventType, apply_account_event
from shared.ids import IdField
from shared.permissions import HasInternalToken

logger = logging.getLogger(__name__)


class AccountEventView(APIView):
    """Apply one account event; 200 `applied`, or 200 `ignored` for a repeat or a stale one.

    The dispatcher retries anything but a 2xx, so a 400 is kept for payloads that can never be
    applied (and logged, since nothing else will notice them). Unauthenticated by JWT: the
    caller is a service, proven by `X-Internal-Token`.
    """

    authentication_classes = ()
    permission_classes = (HasInternalToken,)
    # The dispatcher paces itself; a 429 here would only delay events behind a counter write.
    throttle_classes = ()

    class DataSerializer(serializers.Serializer):
        """`data` of `user.created` and `user.updated`."""

        username = serializers.CharField(max_length=150)
        avatar_url = serializers.URLField(
            max_length=1000, required=False, allow_null=True, default=None
        )

    class InputSerializer(serializers.Serializer):
        id = IdField()
        type = serializers.ChoiceField(choices=[kind.value for kind in AccountEventType])
        user_id = IdField()
        occurred_at = serializers.DateTimeField()
        # `{}` (or nothing at all) is enough for `user.deleted`.
        data = serializers.DictField(required=False, default=dict, allow_null=True)

        def validate(self, attrs: dict) -> dict:
            if attrs["type"] == AccountEventType.USER_DELETED:
                # Nothing in `data` is needed to delete an account.
                attrs["data"] = {"username": None, "avatar_url": None}
                return attrs
            data = AccountEventView.DataSerializer(data=attrs["data"] or {})
            if not data.is_valid():
                raise serializers.ValidationError({"data": data.errors})
            attrs["data"] = data.validated_data
            return attrs

    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = serializer.validated_data
        applied = apply_account_event(
            event_id=event["id"],
            event_type=AccountEventType(event["type"]),
            user_id=event["user_id"],
            username=event["data"]["username"],
            avatar_url=event["data"]["avatar_url"],
        )
        outcome = "applied" if applied else "ignored"
        # One line per delivery: how an operator (or a test) tells a repeat from a first delivery.
        logger.info(
            f"account event {outcome}",
            extra={
                "event_id": event["id"],
                "event_type": event["type"],
                "user_id": event["user_id"],
            },
        )
        return Response({"status": outcome}, status=status.HTTP_200_OK)

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        if response.status_code == status.HTTP_400_BAD_REQUEST:
            # The dispatcher will keep resending this event and hold the user's later ones
            # behind it: an operator must hear about it.
            body = self.request.data
            logger.error(
                "malformed account event refused",
                extra={
                    "event_id": body.get("id") if isinstance(body, dict) else None,
                    "errors": response.data,
                },
            )
        return response
