"""Events between services: a transactional outbox, a relay to RabbitMQ, consumer workers.

A service records an event with `shared.events.outbox.record_event` inside the transaction that
makes the change; `manage.py relay_events` publishes pending rows to the durable topic exchange
(publisher confirms, persistent messages) and marks them published once the broker confirmed;
`manage.py consume_events` applies each message of the service's own queue in a database
transaction through the handlers the service names in `EVENT_HANDLERS`, once per event id, and
acknowledges only after the commit. Messages that keep failing go to the service's dead-letter
queue (`manage.py event_dead_letters` lists and replays them). Mechanism only: which events
exist and what they mean belongs to each service (docs/events.md is the catalogue).
"""
