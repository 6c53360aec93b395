"""Reads of the block replica, as conditions the profile reads put inside their queries."""

from django.db.models import Exists, OuterRef

from blocks.models import Block


def blocks_viewer(viewer_id: int, *, account: str = "pk") -> Exists:
    """A condition on a queryset of accounts: the account (its column `account`) blocks
    `viewer_id`. One probe of blocks_unique_pair per account."""
    return Exists(
        Block.objects.filter(blocker_id=OuterRef(account), blocked_id=viewer_id, active=True)
    )
