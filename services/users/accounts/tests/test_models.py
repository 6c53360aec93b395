"""The account rules the database itself enforces, whatever the code above it does."""

import pytest
from django.db import IntegrityError, connection

from accounts.models import User
from accounts.services import create_account

pytestmark = pytest.mark.django_db


def insert_raw(email: str, username: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO accounts_user (password, is_superuser, is_staff, is_active, date_joined,
                                       username, email, name, bio, website, avatar)
            VALUES ('!', false, false, true, now(), %s, %s, '', '', '', '')
            """,
            [username, email],
        )


def test_database_refuses_an_upper_case_username():
    with pytest.raises(IntegrityError, match="accounts_user_username_lowercase"):
        insert_raw("ann@example.com", "Ann")


def test_database_refuses_an_email_that_differs_only_in_case():
    insert_raw("ann@example.com", "ann")
    with pytest.raises(IntegrityError, match="accounts_user_email_ci_unique"):
        insert_raw("ANN@example.com", "ann2")


def test_database_refuses_a_second_identical_username():
    insert_raw("ann@example.com", "ann")
    with pytest.raises(IntegrityError, match="accounts_user_username_key"):
        insert_raw("other@example.com", "ann")


def test_create_account_lowercases_the_username_and_keeps_the_email_local_part():
    user = create_account(email="Ann.Bell@EXAMPLE.com", username="Ann.Bell", password="x" * 12)
    assert user.username == "ann.bell"
    assert user.email == "Ann.Bell@example.com"


def test_log_in_by_email_ignores_case():
    create_account(email="ann@example.com", username="ann", password="x" * 12)
    assert User.objects.get_by_natural_key("ANN@Example.COM").username == "ann"


def test_search_uses_the_prefix_indexes():
    """Both prefix conditions can be answered from their `varchar_pattern_ops` indexes."""
    from accounts.selectors import search_users

    for n in range(50):
        create_account(email=f"u{n}@example.com", username=f"u{n}", password=None, name=f"N{n}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_user")
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = search_users(query="an").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "accounts_user_name_prefix" in plan
    assert "accounts_user_username_" in plan
    assert "_like" in plan
