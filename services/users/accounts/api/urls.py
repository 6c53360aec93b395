"""/api/v1/auth/... and /api/v1/users/...: one view class per path."""

from django.urls import path

from accounts.api import auth, profiles
from shared import ids  # noqa: F401 - registers the <id:...> converter

urlpatterns = [
    path("auth/signup", auth.SignUpView.as_view(), name="signup"),
    path("auth/token", auth.TokenView.as_view(), name="token"),
    path("auth/token/refresh", auth.TokenRefreshView.as_view(), name="token-refresh"),
    path("auth/logout", auth.LogoutView.as_view(), name="logout"),
    path("users", profiles.UserListView.as_view(), name="users"),
    path("users/me", profiles.MeView.as_view(), name="me"),
    path("users/me/password", profiles.PasswordView.as_view(), name="me-password"),
    path("users/me/avatar", profiles.AvatarView.as_view(), name="me-avatar"),
    path("users/lookup", profiles.UserLookupView.as_view(), name="user-lookup"),
    path("users/<id:pk>", profiles.UserDetailView.as_view(), name="user-detail"),
]
