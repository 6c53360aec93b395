"""Writes of the Mastodon-compatible API's own: media waiting for a status."""

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from mastodon_api.models import PendingMedia
from posts.images import ProcessedImage, process_images
from posts.services import _store, delete_stored_files
from shared.images import EncodedImage


def upload_media(*, owner_id: int, upload: UploadedFile, description: str = "") -> PendingMedia:
    """Clean and store an image as the post images are (`posts.images`), unattached."""
    (processed,) = process_images([upload])
    stem = f"pending/{uuid.uuid4().hex}"
    stored = [_store(processed.image, stem)]
    try:
        stored.append(_store(processed.thumbnail, f"{stem}_thumb"))
        return PendingMedia.objects.create(
            owner_id=owner_id,
            file=stored[0],
            thumbnail=stored[1],
            extension=processed.image.extension,
            width=processed.image.width,
            height=processed.image.height,
            thumbnail_width=processed.thumbnail.width,
            thumbnail_height=processed.thumbnail.height,
            blurhash=processed.blurhash,
            description=description,
        )
    except BaseException:
        delete_stored_files(stored)
        raise


def describe_media(*, media: PendingMedia, description: str) -> PendingMedia:
    media.description = description
    media.save(update_fields=["description"])
    return media


@contextmanager
def claiming_media(
    *, owner_id: int, media_ids: Sequence[str]
) -> Iterator[tuple[list[ProcessedImage], list[str]]]:
    """The owner's pending media `media_ids` as images for a new post, in that order, and their
    descriptions (the images' alt texts); inside
    the block's transaction they are claimed (their rows go with the commit, their files after
    it, the post having stored copies). `ValidationError` for an id that is not the caller's
    pending media."""
    ids = []
    for raw in media_ids:
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
            raise ValidationError({"media_ids": [f"No such media: {raw}"]})
        ids.append(int(raw))
    with transaction.atomic():
        rows = {
            row.pk: row
            for row in PendingMedia.objects.select_for_update().filter(
                pk__in=ids, owner_id=owner_id
            )
        }
        missing = [str(media_id) for media_id in ids if media_id not in rows]
        if missing:
            raise ValidationError({"media_ids": [f"No such media: {', '.join(missing)}"]})
        opened = []
        try:
            images, descriptions = [], []
            for media_id in dict.fromkeys(ids):
                row = rows[media_id]
                image, thumbnail = (
                    default_storage.open(row.file),
                    default_storage.open(row.thumbnail),
                )
                opened += [image, thumbnail]
                images.append(
                    ProcessedImage(
                        image=EncodedImage(image, row.extension, row.width, row.height),
                        thumbnail=EncodedImage(
                            thumbnail,
                            PurePosixPath(row.thumbnail).suffix.lstrip("."),
                            row.thumbnail_width,
                            row.thumbnail_height,
                        ),
                        blurhash=row.blurhash,
                    )
                )
                descriptions.append(row.description)
            yield images, descriptions
        finally:
            for file in opened:
                file.close()
        names = [name for row in rows.values() for name in (row.file, row.thumbnail)]
        PendingMedia.objects.filter(pk__in=rows).delete()
        transaction.on_commit(lambda: delete_stored_files(names))


def prune_pending_media() -> int:
    """Delete the media no status claimed within `PENDING_MEDIA_MAX_AGE`; how many went."""
    cutoff = timezone.now() - timedelta(seconds=settings.PENDING_MEDIA_MAX_AGE)
    with transaction.atomic():
        rows = list(
            PendingMedia.objects.select_for_update(skip_locked=True).filter(created_at__lt=cutoff)
        )
        PendingMedia.objects.filter(pk__in=[row.pk for row in rows]).delete()
        names = [name for row in rows for name in (row.file, row.thumbnail)]
        transaction.on_commit(lambda: delete_stored_files(names))
    return len(rows)
