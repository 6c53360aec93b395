"""/api/v1/auth/... and /api/v1/users/...: one view class per path."""

from django.urls import path

from accounts.api import auth, profiles
from shared import ids  # noqa: F401 - registers the <id:...> converter

urlpatterns = [
    path("auth/signup", auth.SignUpView.as_view(), name="signup"),
    path("auth/token", auth.TokenView.as_view(), name="token"),
    path("auth/token/refresh", auth.TokenRefreshView.as_view(), name="token-refresh"),
    path("auth/logout", auth.LogoutView.as_view(), name="logout"),
    path("auth/password/reset", auth.PasswordResetView.as_view(), name="password-reset"),
    path(
        "auth/password/reset/confirm",
        auth.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("auth/email/verify", auth.EmailVerifyView.as_view(), name="email-verify"),
    path(
        "auth/email/verify/resend",
        auth.EmailVerifyResendView.as_view(),
        name="email-verify-resend",
    ),
    path("auth/email/confirm", auth.EmailConfirmView.as_view(), name="email-confirm"),
    path("users", profiles.UserListView.as_view(), name="users"),
    path("users/me", profiles.MeView.as_view(), name="me"),
    path("users/me/password", profiles.PasswordView.as_view(), name="me-password"),
    path("users/me/avatar", profiles.AvatarView.as_view(), name="me-avatar"),
    path("users/me/email", profiles.EmailChangeView.as_view(), name="me-email"),
    path("users/me/sessions", profiles.SessionListView.as_view(), name="me-sessions"),
    path("users/me/sessions/<id:pk>", profiles.SessionDetailView.as_view(), name="me-session"),
    path("users/lookup", profiles.UserLookupView.as_view(), name="user-lookup"),
    path("users/<id:pk>", profiles.UserDetailView.as_view(), name="user-detail"),
]
