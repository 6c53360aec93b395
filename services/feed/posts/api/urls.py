"""Posts, likes and comments under /api/v1/."""

from django.urls import path

from posts.api import comments, likes, posts

urlpatterns = [
    path("posts", posts.PostListView.as_view(), name="post-list"),
    path("posts/<int:post_id>", posts.PostDetailView.as_view(), name="post-detail"),
    path("users/<int:user_id>/posts", posts.UserPostListView.as_view(), name="user-posts"),
    path("posts/<int:post_id>/like", likes.PostLikeView.as_view(), name="post-like"),
    path("posts/<int:post_id>/likes", likes.PostLikerListView.as_view(), name="post-likers"),
    path(
        "posts/<int:post_id>/comments",
        comments.PostCommentListView.as_view(),
        name="post-comments",
    ),
    path("comments/<int:comment_id>", comments.CommentDetailView.as_view(), name="comment-detail"),
]
