"""The contract's output shapes, as the tests check them (api-contract.md), stated once.

Written out rather than imported from the serializers: a test that read the field list from
the code it checks could not catch a field the code dropped or renamed.
"""

POST_KEYS = {
    "id",
    "author",
    "title",
    "body",
    "images",
    "hashtags",
    "mentions",
    "like_count",
    "comment_count",
    "liked_by_me",
    "bookmarked_by_me",
    "comments_disabled",
    "hide_like_count",
    "created_at",
    "updated_at",
}
IMAGE_KEYS = {"id", "url", "thumbnail_url", "width", "height", "alt_text", "blurhash"}
SUMMARY_KEYS = {"id", "username", "avatar_url"}
COMMENT_KEYS = {
    "id",
    "post_id",
    "author",
    "body",
    "parent_id",
    "reply_count",
    "like_count",
    "liked_by_me",
    "created_at",
}
