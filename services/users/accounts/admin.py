"""The Django admin for accounts: the same rules and events as the API's write paths."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts import signin_limits
from accounts.events import account_state
from accounts.models import User
from accounts.services import (
    end_every_sign_in,
    record_admin_change,
    remove_account,
    remove_avatar,
)


class _CaseInsensitiveUniqueMixin(forms.ModelForm):
    """Field errors (not a crash on the database constraint) for a taken email or username."""

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data.get("email") or "")
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(User._meta.get_field("email").error_messages["unique"])
        return email

    def clean_username(self) -> str:
        username = (self.cleaned_data.get("username") or "").lower()
        if User.objects.filter(username=username).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(User._meta.get_field("username").error_messages["unique"])
        return username


class AccountCreationForm(_CaseInsensitiveUniqueMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email", "username")
        field_classes: dict[str, Any] = {}


class AccountChangeForm(_CaseInsensitiveUniqueMixin, UserChangeForm):
    # Profile links are web addresses; a bare "example.com" becomes an https one.
    website = forms.URLField(
        max_length=User._meta.get_field("website").max_length,
        required=False,
        assume_scheme="https",
    )

    class Meta(UserChangeForm.Meta):
        model = User
        fields = (
            "email",
            "password",
            "username",
            "name",
            "bio",
            "website",
            "is_private",
            "email_verified",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        )
        field_classes: dict[str, Any] = {}


class AccountPasswordChangeForm(AdminPasswordChangeForm):
    """The admin's "set password" form: like a password change by the user, every sign-in of
    the account ends (Django's own form only saves the hash)."""

    def save(self, commit: bool = True) -> User:
        with transaction.atomic():
            user = super().save(commit=commit)
            if commit:
                end_every_sign_in(user=user)
        return user


class LimitedAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's sign-in, limited per email like the API's (`accounts.signin_limits`)."""

    def clean(self) -> dict[str, Any]:
        email = self.cleaned_data.get("username")
        if not email or self.cleaned_data.get("password") is None:
            return super().clean()
        try:
            signin_limits.reserve_attempt(email)
        except signin_limits.SignInLocked as exc:
            raise forms.ValidationError(
                "Too many failed sign-ins for this email address; try again in %(wait)s seconds.",
                code="sign_in_locked",
                params={"wait": exc.wait},
            ) from None
        cleaned = super().clean()
        signin_limits.attempt_succeeded(email)
        return cleaned


admin.site.login_form = LimitedAdminAuthenticationForm


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = AccountChangeForm
    add_form = AccountCreationForm
    change_password_form = AccountPasswordChangeForm
    ordering = ("-date_joined", "-id")
    list_display = ("email", "username", "name", "is_staff", "date_joined")
    # Avatars are set through the API, which re-encodes them and strips their metadata; the
    # admin can only take one down (the action below).
    readonly_fields = ("avatar", "last_login", "date_joined")
    actions = ["remove_avatars"]
    search_fields = ("email", "username", "name")
    fieldsets = (
        (None, {"fields": ("email", "email_verified", "password")}),
        ("Profile", {"fields": ("username", "name", "bio", "website", "avatar", "is_private")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "username", "usable_password", "password1", "password2"),
            },
        ),
    )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        # The admin is a write path too: the feed must hear about what changes here.
        with transaction.atomic():
            before, was_active = None, False
            if change:
                row = User.objects.select_for_update().filter(pk=obj.pk).first()
                before = account_state(row) if row else None
                was_active = row is not None and row.is_active
            super().save_model(request, obj, form, change)
            record_admin_change(user=obj, created=not change, before=before, was_active=was_active)

    @admin.action(description="Remove the selected users' avatars")
    def remove_avatars(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            remove_avatar(user=user)

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        remove_account(user=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            remove_account(user=user)
