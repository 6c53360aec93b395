"""Every read of notifications: the list, the grouped list, the unread count, the settings.

Each is a fixed number of queries whatever the page size: the list selects its actors with
the rows, the grouped view is one aggregate query plus one look-up of every actor it shows.
"""

from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from actors.selectors import actor_summaries
from notifications.models import Notification, NotificationSettings, NotificationType
from shared.pagination import Cursor, check_position

# How many of a group's actors the grouped view shows (the newest).
GROUP_ACTORS = 3

SETTINGS_FIELDS = tuple(NotificationType.values)


def notification_queryset(
    *, recipient_id: int, types: Iterable[NotificationType] = ()
) -> QuerySet[Notification]:
    """The base queryset of a user's notifications, with each actor's summary selected."""
    queryset = Notification.objects.filter(recipient_id=recipient_id).select_related("actor")
    if types := list(types):
        queryset = queryset.filter(type__in=types)
    return queryset


def _grouped_sql(*, with_types: bool, after: bool, reverse: bool) -> str:
    # Whole statements chosen in Python: the only variations are the type filter and the
    # cursor's direction. A group's id is its newest notification's id, its keyset position.
    table = Notification._meta.db_table
    types = "AND type = ANY(%(types)s)" if with_types else ""
    having = ""
    if after:
        having = "HAVING max(id) > %(position)s" if reverse else "HAVING max(id) < %(position)s"
    order = "ASC" if reverse else "DESC"
    return f"""
        SELECT max(id) AS id, min(type) AS type, min(post_id) AS post_id,
               min(comment_id) AS comment_id, count(*) AS actor_count,
               max(created_at) AS latest_at, bool_and(read) AS read,
               (array_agg(actor_id ORDER BY id DESC))[1:{GROUP_ACTORS}] AS actor_ids
        FROM {table}
        WHERE recipient_id = %(recipient)s {types}
        GROUP BY group_key
        {having}
        ORDER BY max(id) {order}
        LIMIT %(limit)s
    """  # noqa: S608 - the table name comes from the model; values are parameters


def grouped_page(
    *, recipient_id: int, cursor: Cursor | None, limit: int, types: Iterable[NotificationType] = ()
) -> list[dict[str, Any]]:
    """One page of the user's notifications in groups, in the page's direction (a
    `shared.pagination` fetch): likes of one post, likes of one comment, follows of one UTC day;
    each with its newest actors' summaries (`actors`), `actor_count` and `latest_at`."""
    types = list(types)
    statement = _grouped_sql(
        with_types=bool(types), after=cursor is not None, reverse=bool(cursor and cursor.reverse)
    )
    params: dict[str, Any] = {"recipient": recipient_id, "types": types, "limit": limit}
    if cursor is not None:
        check_position(cursor.position, [int])
        params["position"] = cursor.position[0]
    with connection.cursor() as db:
        db.execute(statement, params)
        columns = [column.name for column in db.description]
        groups = [dict(zip(columns, row, strict=True)) for row in db.fetchall()]
    summaries = actor_summaries(user_id for group in groups for user_id in group["actor_ids"])
    for group in groups:
        group["actors"] = [summaries[user_id] for user_id in group.pop("actor_ids")]
    return groups


def unread_count(*, recipient_id: int) -> int:
    return Notification.objects.filter(recipient_id=recipient_id, read=False).count()


def settings_of(*, user_id: int) -> dict[str, bool]:
    """The user's per-type settings; every type is on for a user who never changed one."""
    chosen = NotificationSettings.objects.filter(user_id=user_id).values(*SETTINGS_FIELDS).first()
    return chosen or dict.fromkeys(SETTINGS_FIELDS, True)
