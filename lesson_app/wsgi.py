"""The WSGI application for production servers: ``gunicorn lesson_app.wsgi:app``.

Settings come from ``LESSON_APP_*`` environment variables (see docs/operations.md).
"""

from lesson_app import create_app

app = create_app()
