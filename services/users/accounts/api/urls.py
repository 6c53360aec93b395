from django.urls import path

from accounts.api import auth, profiles

urlpatterns = [
    path("auth/signup", auth.SignUpView.as_view(), name="signup"),
    path("auth/token", auth.TokenView.as_view(), name="token"),
    path("users/me", profiles.MeView.as_view(), name="me"),
]
