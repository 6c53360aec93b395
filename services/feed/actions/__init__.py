"""Writes that span the feed's apps, above all of them (as Zulip's `zerver/actions`).

A post changes the author's counters and the timeline inboxes, a follow the counters and the
follower's inbox, an account deletion everything the user left. Each app keeps its own part in
its `services.py` and knows nothing of the apps above it; these functions put the parts in one
transaction. The apps' views call them (docs/architecture.md).
"""
