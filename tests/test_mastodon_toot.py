"""A second, independent Mastodon client (toot, docs/mastodon.md) drives the stack through the
gateway's /mastodon prefix with its own library calls: an app (JSON body), the password grant
(form body), a status, the home timeline, a favourite, notifications, a delete. toot parses every
answer into its dataclasses, so a field of the wrong type fails here."""

import pytest
from toot import App, User, api as toot, auth
from toot.entities import Notification, Status, from_dict_list, from_response
from toot.exceptions import NotFoundError

from tests.conftest import sign_up
from tests.test_mastodon_clients import NOTIFICATION_KEYS, STATUS_KEYS, until


def toot_user(base: str, account) -> tuple[App, User]:
    instance = auth.find_instance(base)
    registered = toot.create_app(base)
    app = App(instance.uri, base, registered["client_id"], registered["client_secret"])
    token = toot.login(app, account.email, account.password)["access_token"]
    me = toot.verify_credentials(app, User(instance.uri, None, token)).json()
    assert me["id"] == str(account.id)
    return app, User(instance.uri, me["username"], token)


def test_toot_posts_reads_favourites_and_deletes(api, stack):
    base = f"{stack.url}/mastodon"
    ann, bob = sign_up(api), sign_up(api)
    ann_app, ann_user = toot_user(base, ann)
    bob_app, bob_user = toot_user(base, bob)

    posted = toot.post_status(ann_app, ann_user, "hello from toot", visibility="public")
    assert set(posted.json()) >= STATUS_KEYS
    status = from_response(Status, posted)
    assert status.account.id == str(ann.id)

    toot.follow(bob_app, bob_user, str(ann.id))
    first_page = next(toot.home_timeline_generator(bob_app, bob_user, limit=5))
    assert [s.id for s in from_dict_list(Status, first_page)] == [status.id]

    favourited = from_response(Status, toot.favourite(bob_app, bob_user, status.id))
    assert favourited.favourited is True
    assert favourited.favourites_count == 1

    def heard():
        notes = toot.get_notifications(ann_app, ann_user).json()
        return {n["type"] for n in notes} >= {"follow", "favourite"} and notes

    notes = until(heard, "the notifications")
    assert all(set(n) >= NOTIFICATION_KEYS for n in notes)
    favourite = next(n for n in from_dict_list(Notification, notes) if n.type == "favourite")
    assert favourite.account.id == str(bob.id)
    assert favourite.status.id == status.id

    assert toot.delete_status(ann_app, ann_user, status.id).json()["id"] == status.id
    with pytest.raises(NotFoundError):
        toot.fetch_status(bob_app, bob_user, status.id)
