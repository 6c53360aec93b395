"""Upkeep on a schedule: every periodic job of a service, named once in its settings.

`PERIODIC_JOBS` maps a management command to its interval in seconds. `manage.py
run_periodic_jobs` runs each when it is due, forever (a process of the native stack, a Compose
service); `--once` runs every job once and exits (a Kubernetes CronJob, cron).
"""
