"""/mastodon/api/v1|v2/media and /mastodon/api/v1/media/{id}: images before their status."""

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from mastodon_api.api.common import FeedMastodonView, db_id
from mastodon_api.models import PendingMedia
from mastodon_api.services import describe_media, upload_media
from posts.api.media import media_urls
from shared.mastodon import ENTITY
from shared.parsers import JSONParser

TAGS = ["mastodon"]


def attachment(media: PendingMedia) -> dict[str, Any]:
    """Mastodon's MediaAttachment of a pending upload."""
    url = media_urls()

    def size(width: int, height: int) -> dict[str, Any]:
        return {
            "width": width,
            "height": height,
            "size": f"{width}x{height}",
            "aspect": width / height if height else 1,
        }

    return {
        "id": str(media.pk),
        "type": "image",
        "url": url(media.file),
        "preview_url": url(media.thumbnail),
        "remote_url": None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": {
            "original": size(media.width, media.height),
            "small": size(media.thumbnail_width, media.thumbnail_height),
        },
        "description": media.description or None,
        "blurhash": media.blurhash or None,
    }


def _own(request: Request, raw: str) -> PendingMedia:
    media = PendingMedia.objects.filter(pk=db_id(raw), owner_id=request.user.id).first()
    if media is None:
        raise NotFound("Record not found")
    return media


class DescriptionSerializer(serializers.Serializer):
    description = serializers.CharField(
        max_length=PendingMedia.DESCRIPTION_MAX_LENGTH, required=False, allow_blank=True
    )


class MediaUploadView(FeedMastodonView):
    """Multipart `file` (and `description`): a MediaAttachment no status has claimed yet."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema_serializer(component_name="MastodonMediaUpload")
    class InputSerializer(DescriptionSerializer):
        file = serializers.FileField(allow_empty_file=False)

    @extend_schema(request=InputSerializer, responses={200: ENTITY}, tags=TAGS)
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        media = upload_media(
            owner_id=request.user.id,
            upload=data.validated_data["file"],
            description=data.validated_data.get("description", ""),
        )
        return Response(attachment(media))


class MediaDetailView(FeedMastodonView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(responses={200: ENTITY}, tags=TAGS)
    def get(self, request: Request, media_id: str) -> Response:
        return Response(attachment(_own(request, media_id)))

    @extend_schema(request=DescriptionSerializer, responses={200: ENTITY}, tags=TAGS)
    def put(self, request: Request, media_id: str) -> Response:
        media = _own(request, media_id)
        data = DescriptionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if "description" in data.validated_data:
            media = describe_media(media=media, description=data.validated_data["description"])
        return Response(attachment(media))
