"""Pagination of lists of posts that are not ordered on the posts' own (created_at, id)."""

from typing import Any

from shared.pagination import KeysetPagination


class PositionedPagination(KeysetPagination):
    """Keyset pagination of `posts.selectors.PostRow`s read with a `key` (saved posts ordered
    on when they were saved, ranked lists): each row carries its own place in the list."""

    def position_of(self, row: Any) -> tuple[Any, ...]:
        return row.position
