"""Posts, likes and comments under /api/v1/."""

from django.urls import path

from posts.api import comments, likes, posts
from shared import ids  # noqa: F401 - registers the <id:...> converter

urlpatterns = [
    path("posts", posts.PostListView.as_view(), name="post-list"),
    path("posts/<id:post_id>", posts.PostDetailView.as_view(), name="post-detail"),
    path(
        "posts/<id:post_id>/images/<id:image_id>",
        posts.PostImageDetailView.as_view(),
        name="post-image-detail",
    ),
    path("users/<id:user_id>/posts", posts.UserPostListView.as_view(), name="user-posts"),
    path("posts/<id:post_id>/like", likes.PostLikeView.as_view(), name="post-like"),
    path("posts/<id:post_id>/likes", likes.PostLikerListView.as_view(), name="post-likers"),
    path(
        "posts/<id:post_id>/comments",
        comments.PostCommentListView.as_view(),
        name="post-comments",
    ),
    path("comments/<id:comment_id>", comments.CommentDetailView.as_view(), name="comment-detail"),
    path(
        "comments/<id:comment_id>/replies",
        comments.CommentReplyListView.as_view(),
        name="comment-replies",
    ),
    path("comments/<id:comment_id>/like", comments.CommentLikeView.as_view(), name="comment-like"),
]
