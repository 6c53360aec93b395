"""A second, independent Mastodon client (toot, docs/mastodon.md) drives the stack through the
gateway's /mastodon prefix: first with its library calls (an app with a JSON body, the password
grant with a form body, a status, the home timeline, a favourite, notifications, a delete; toot
parses every answer into its dataclasses, so a field of the wrong type fails here), then as its
users run it, the `toot` command in a process of its own with its own config directory."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from toot import App, User, api as toot, auth
from toot.entities import Notification, Status, from_dict_list, from_response
from toot.exceptions import NotFoundError

from tests.conftest import sign_up
from tests.test_mastodon_clients import NOTIFICATION_KEYS, STATUS_KEYS, png, until


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


class TootCli:
    """The `toot` command as one user runs it: its own config directory (XDG_CONFIG_HOME),
    where `login_cli` keeps the app and the token that the later commands use."""

    def __init__(self, home: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TOOT_")}
        self.env["XDG_CONFIG_HOME"] = str(home)

    def run(self, *args: str, ok: bool = True) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "toot", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        assert (done.returncode == 0) is ok, f"toot {args}: {done.stdout}{done.stderr}"
        return done.stdout + done.stderr

    def json(self, *args: str):
        return json.loads(self.run(*args, "--json"))


def toot_cli(tmp_path: Path, base: str, account) -> TootCli:
    cli = TootCli(tmp_path / account.username)
    said = cli.run("login_cli", "-i", base, "-e", account.email, "-p", account.password)
    assert "Successfully logged in" in said
    assert cli.json("whoami")["id"] == str(account.id)
    return cli


def test_the_toot_command_posts_follows_favourites_replies_blocks_and_deletes(api, stack, tmp_path):
    base = f"{stack.url}/mastodon"
    ann, bob, cid = sign_up(api), sign_up(api), sign_up(api)
    ann_cli, bob_cli, cid_cli = (toot_cli(tmp_path, base, a) for a in (ann, bob, cid))
    assert "4.3.0 (compatible; social" in ann_cli.run("instance", base)

    photo = tmp_path / "photo.png"
    photo.write_bytes(png())
    posted = ann_cli.json(
        "post", "sunset at the #beach", "--media", str(photo), "--description", "orange sky"
    )
    assert set(posted) >= STATUS_KEYS
    assert posted["media_attachments"][0]["description"] == "orange sky"
    status_id = posted["id"]

    # Accounts are named as their users know them: toot finds them with /api/v2/search.
    assert bob_cli.json("follow", ann.username)["following"] is True
    assert bob_cli.json("whois", ann.username)["followers_count"] == 1
    assert [a["id"] for a in bob_cli.json("following", bob.username)] == [str(ann.id)]
    home = bob_cli.json("timelines", "home", "--no-pager", "--no-clear")
    assert [s["id"] for s in home] == [status_id]
    found = bob_cli.json("search", "beach")
    assert [s["id"] for s in found["statuses"]] == [status_id]
    assert [t["name"] for t in found["hashtags"]] == ["beach"]

    faved = bob_cli.json("favourite", status_id)
    assert (faved["favourited"], faved["favourites_count"]) == (True, 1)
    assert bob_cli.json("bookmark", status_id)["bookmarked"] is True
    assert "sunset at the" in bob_cli.run("bookmarks", "--once")
    reply = bob_cli.json("post", "what a view", "--reply-to", status_id)
    assert reply["in_reply_to_id"] == status_id
    assert "what a view" in ann_cli.run("thread", status_id)

    def heard():
        notes = ann_cli.json("notifications")
        return {n["type"] for n in notes} >= {"follow", "favourite", "mention"} and notes

    notes = until(heard, "the notifications")
    assert all(n["account"]["id"] == str(bob.id) for n in notes)
    assert "favourited your status" in ann_cli.run("notifications")

    # A private account: a follow is a request, which the account authorizes.
    api.patch("/api/v1/users/me", json={"is_private": True}, headers=cid.auth)
    until(lambda: ann_cli.json("whois", cid.username)["locked"], "the account going private")
    assert ann_cli.json("follow", cid.username)["requested"] is True
    assert [a["id"] for a in cid_cli.json("follow-requests", "list")] == [str(ann.id)]
    said = cid_cli.run("follow-requests", "accept", ann.username)
    assert f"{ann.username} is now following you" in said
    assert cid_cli.json("follow-requests", "list") == []
    assert [a["id"] for a in cid_cli.json("followers", cid.username)] == [str(ann.id)]

    assert ann_cli.json("mute", bob.username)["muting"] is True
    assert [a["id"] for a in ann_cli.json("muted")] == [str(bob.id)]
    assert ann_cli.json("unmute", bob.username)["muting"] is False
    blocked = ann_cli.json("block", bob.username)
    assert (blocked["blocking"], blocked["followed_by"]) == (True, False)
    assert [a["id"] for a in ann_cli.json("blocked")] == [str(bob.id)]
    # The blocked no longer finds the blocker, nor sees the status.
    assert bob_cli.json("search", ann.username, "--type", "accounts")["accounts"] == []
    assert "Error: No post with that id" in bob_cli.run("status", status_id, ok=False)
    assert ann_cli.json("unblock", bob.username)["blocking"] is False

    assert ann_cli.json("delete", status_id)["id"] == status_id
    assert "Error: No post with that id" in bob_cli.run("status", status_id, ok=False)
    instance = ann_cli.json("instance", base)["uri"]
    assert "logged out" in ann_cli.run("logout", f"{ann.username}@{instance}")
    assert "requires you to be logged in" in ann_cli.run("whoami", ok=False)
