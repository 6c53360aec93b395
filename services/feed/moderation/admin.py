"""The feed's Django admin, for staff: every model of the feed, read-only, and the writes a
moderator makes (removing content, resolving reports) through the services the API uses.

Here, above every app it shows (the layers in docs/architecture.md), so that its deletes can
go through `moderation.services.decide`, which deletes as the author's delete does and records
the decision. Sign-in is the users service's (`moderation.staff`, docs/security.md). Mounted at
/admin/feed/ (config/urls.py), which the gateway routes to this service.
"""

import time
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

from authors import client
from authors.models import Author
from moderation.models import ModerationAction, Report, TargetType
from moderation.services import decide
from moderation.staff import STAFF_UNTIL, NotStaff, sign_in_staff
from posts.models import Bookmark, Comment, Like, Post, PostImage, PostTag, Tag
from relationships.models import Block, Follow, FollowRequest, Mute
from saved.models import Collection, CollectionEntry
from social.models import UserStats
from timeline.models import InboxCoverage

EMAIL_MAX_LENGTH = 254


class StaffSignInForm(AdminAuthenticationForm):
    """Email and password, checked by the users service; only staff accounts get in."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": "Please enter the correct email and password for a staff account.",
    }
    username = forms.EmailField(
        label="Email",
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autofocus": True}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # AuthenticationForm caps the field at the local user model's username length.
        self.fields["username"].max_length = EMAIL_MAX_LENGTH
        self.fields["username"].widget.attrs["maxlength"] = EMAIL_MAX_LENGTH
        self.staff_until: float | None = None

    def clean(self) -> dict[str, Any]:
        email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not email or password is None:
            return self.cleaned_data
        try:
            self.user_cache, until = sign_in_staff(email=email, password=password)
        except (client.SignInRefused, NotStaff):
            raise self.get_invalid_login_error() from None
        except client.SignInLimited as exc:
            raise forms.ValidationError(
                "Too many sign-ins for now; try again in %(wait)s seconds.",
                code="sign_in_limited",
                params={"wait": exc.wait},
            ) from None
        except client.UsersServiceUnavailable:
            raise forms.ValidationError(
                "The users service cannot be reached to check your password; try again soon.",
                code="users_service_unavailable",
            ) from None
        self.confirm_login_allowed(self.user_cache)
        self.user_cache.staff_until = until.timestamp()
        return self.cleaned_data


class FeedAdminSite(admin.AdminSite):
    """The admin of the feed: staff only, each session no longer than its access token."""

    site_header = "Feed administration"
    site_title = "Feed admin"
    index_title = "Content, relationships and moderation"
    site_url = None
    login_form = StaffSignInForm

    def has_permission(self, request: HttpRequest) -> bool:
        # A staff member whose staff status or account goes in the users service loses the
        # admin when the token their sign-in got expires (ACCESS_TOKEN_LIFETIME).
        until = request.session.get(STAFF_UNTIL, 0)
        return super().has_permission(request) and until > time.time()

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        response = super().login(request, extra_context)
        until = getattr(request.user, "staff_until", None)
        if request.method == "POST" and until is not None:
            # After Django's login, which may start the session afresh.
            request.session[STAFF_UNTIL] = until
            request.session.set_expiry(max(1, int(until - time.time())))
        return response


site = FeedAdminSite(name="feed-admin")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never written here: counters, inboxes and events change only through the
    services, and the replica of users only through the users service's events."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class RemovableContentAdmin(ReadOnlyAdmin):
    """Posts and comments: deleting one is a moderator's `remove`, recorded, through the
    delete its author uses (counters, inboxes, files and events stay right)."""

    target_type: str

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_active and request.user.is_staff

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        decide(
            moderator_id=request.user.pk,
            action=ModerationAction.Action.REMOVE,
            target_type=self.target_type,
            target_id=obj.pk,
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for target_id in queryset.values_list("pk", flat=True):
            decide(
                moderator_id=request.user.pk,
                action=ModerationAction.Action.REMOVE,
                target_type=self.target_type,
                target_id=target_id,
            )


class PostImageInline(admin.TabularInline):
    model = PostImage
    fields = ("position", "file", "thumbnail", "width", "height")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Post, site=site)
class PostAdmin(RemovableContentAdmin):
    target_type = TargetType.POST
    list_display = ("id", "author_id", "title", "like_count", "comment_count", "created_at")
    search_fields = ("title",)
    show_full_result_count = False
    inlines = [PostImageInline]


@admin.register(Comment, site=site)
class CommentAdmin(RemovableContentAdmin):
    target_type = TargetType.COMMENT
    list_display = ("id", "post_id", "author_id", "body", "created_at")
    list_select_related = False
    raw_id_fields = ("post",)
    show_full_result_count = False


@admin.register(Report, site=site)
class ReportAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "target_type",
        "target_id",
        "reason",
        "reporter_id",
        "status",
        "created_at",
        "resolution",
    )
    list_filter = ("status", "reason", "target_type")
    ordering = ("created_at", "id")
    actions = ["dismiss", "remove"]

    def _decide(self, request: HttpRequest, queryset: QuerySet[Report], action: str) -> None:
        targets = set(queryset.values_list("target_type", "target_id"))
        skipped = 0
        for target_type, target_id in sorted(targets):
            if action == ModerationAction.Action.REMOVE and target_type == TargetType.USER:
                skipped += 1
                continue
            decide(
                moderator_id=request.user.pk,
                action=action,
                target_type=target_type,
                target_id=target_id,
            )
        self.message_user(request, f"{action}: {len(targets) - skipped} target(s).")
        if skipped:
            self.message_user(
                request,
                f"{skipped} reported account(s) left open: accounts close in the users service.",
                level=messages.WARNING,
            )

    @admin.action(description="Dismiss: resolve every open report on the selected targets")
    def dismiss(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._decide(request, queryset, ModerationAction.Action.DISMISS)

    @admin.action(description="Remove the reported posts and comments, resolving their reports")
    def remove(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._decide(request, queryset, ModerationAction.Action.REMOVE)


@admin.register(ModerationAction, site=site)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "moderator_id",
        "action",
        "target_type",
        "target_id",
        "removed_content",
        "created_at",
    )
    list_filter = ("action", "target_type")


@admin.register(Author, site=site)
class AuthorAdmin(ReadOnlyAdmin):
    list_display = ("id", "username", "name", "is_private", "deleted_at", "updated_at")
    search_fields = ("username",)
    show_full_result_count = False


@admin.register(UserStats, site=site)
class UserStatsAdmin(ReadOnlyAdmin):
    list_display = ("pk", "posts_count", "followers_count", "following_count")
    show_full_result_count = False


for model in (
    Like,
    Bookmark,
    Tag,
    PostTag,
    Follow,
    FollowRequest,
    Block,
    Mute,
    Collection,
    CollectionEntry,
    InboxCoverage,
):
    site.register(model, ReadOnlyAdmin)
