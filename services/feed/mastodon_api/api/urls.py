"""The feed's part of the Mastodon-compatible API under /mastodon/ (docs/mastodon.md)."""

from django.urls import path

from mastodon_api.api import accounts, media, relationships, search, statuses, timelines

urlpatterns = [
    path(
        "api/v1/accounts/verify_credentials",
        accounts.VerifyCredentialsView.as_view(),
        name="mastodon-verify-credentials",
    ),
    path("api/v1/accounts/lookup", accounts.AccountLookupView.as_view(), name="mastodon-lookup"),
    path(
        "api/v1/accounts/relationships",
        accounts.RelationshipsView.as_view(),
        name="mastodon-relationships",
    ),
    path(
        "api/v1/accounts/<str:account_id>",
        accounts.AccountDetailView.as_view(),
        name="mastodon-account",
    ),
    path(
        "api/v1/accounts/<str:account_id>/statuses",
        accounts.AccountStatusesView.as_view(),
        name="mastodon-account-statuses",
    ),
    path(
        "api/v1/accounts/<str:account_id>/followers",
        accounts.AccountFollowersView.as_view(),
        name="mastodon-account-followers",
    ),
    path(
        "api/v1/accounts/<str:account_id>/following",
        accounts.AccountFollowingView.as_view(),
        name="mastodon-account-following",
    ),
    path(
        "api/v1/accounts/<str:account_id>/follow",
        accounts.AccountFollowView.as_view(),
        name="mastodon-account-follow",
    ),
    path(
        "api/v1/accounts/<str:account_id>/unfollow",
        accounts.AccountUnfollowView.as_view(),
        name="mastodon-account-unfollow",
    ),
    path(
        "api/v1/accounts/<str:account_id>/block",
        relationships.AccountBlockView.as_view(),
        name="mastodon-account-block",
    ),
    path(
        "api/v1/accounts/<str:account_id>/unblock",
        relationships.AccountUnblockView.as_view(),
        name="mastodon-account-unblock",
    ),
    path(
        "api/v1/accounts/<str:account_id>/mute",
        relationships.AccountMuteView.as_view(),
        name="mastodon-account-mute",
    ),
    path(
        "api/v1/accounts/<str:account_id>/unmute",
        relationships.AccountUnmuteView.as_view(),
        name="mastodon-account-unmute",
    ),
    path("api/v1/blocks", relationships.BlockListView.as_view(), name="mastodon-blocks"),
    path("api/v1/mutes", relationships.MuteListView.as_view(), name="mastodon-mutes"),
    path(
        "api/v1/follow_requests",
        relationships.FollowRequestListView.as_view(),
        name="mastodon-follow-requests",
    ),
    path(
        "api/v1/follow_requests/<str:account_id>/authorize",
        relationships.FollowRequestAuthorizeView.as_view(),
        name="mastodon-follow-request-authorize",
    ),
    path(
        "api/v1/follow_requests/<str:account_id>/reject",
        relationships.FollowRequestRejectView.as_view(),
        name="mastodon-follow-request-reject",
    ),
    path("api/v1/statuses", statuses.StatusListView.as_view(), name="mastodon-statuses"),
    path(
        "api/v1/statuses/<str:status_id>",
        statuses.StatusDetailView.as_view(),
        name="mastodon-status",
    ),
    path(
        "api/v1/statuses/<str:status_id>/context",
        statuses.StatusContextView.as_view(),
        name="mastodon-status-context",
    ),
    path(
        "api/v1/statuses/<str:status_id>/favourited_by",
        statuses.StatusFavouritedByView.as_view(),
        name="mastodon-status-favourited-by",
    ),
    path(
        "api/v1/statuses/<str:status_id>/favourite",
        statuses.FavouriteView.as_view(),
        name="mastodon-status-favourite",
    ),
    path(
        "api/v1/statuses/<str:status_id>/unfavourite",
        statuses.UnfavouriteView.as_view(),
        name="mastodon-status-unfavourite",
    ),
    path(
        "api/v1/statuses/<str:status_id>/bookmark",
        statuses.BookmarkView.as_view(),
        name="mastodon-status-bookmark",
    ),
    path(
        "api/v1/statuses/<str:status_id>/unbookmark",
        statuses.UnbookmarkView.as_view(),
        name="mastodon-status-unbookmark",
    ),
    path("api/v1/timelines/home", timelines.HomeTimelineView.as_view(), name="mastodon-home"),
    path(
        "api/v1/timelines/tag/<str:hashtag>",
        timelines.TagTimelineView.as_view(),
        name="mastodon-tag-timeline",
    ),
    path("api/v1/bookmarks", timelines.BookmarkListView.as_view(), name="mastodon-bookmarks"),
    path("api/v2/search", search.SearchView.as_view(), name="mastodon-search"),
    path("api/v1/media", media.MediaUploadView.as_view(), name="mastodon-media-v1"),
    path("api/v2/media", media.MediaUploadView.as_view(), name="mastodon-media-v2"),
    path("api/v1/media/<str:media_id>", media.MediaDetailView.as_view(), name="mastodon-media"),
]
