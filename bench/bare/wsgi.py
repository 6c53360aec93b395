"""WSGI entry of the bare reference: `gunicorn bare.wsgi` from bench/ (bench/bench.py starts it)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bare.settings")
application = get_wsgi_application()
