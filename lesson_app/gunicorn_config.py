"""Gunicorn settings for Lesson App: ``gunicorn -c python:lesson_app.gunicorn_config
lesson_app.wsgi:app`` (``lesson-app serve`` runs exactly that).

Measured on 2 cores (docs/operations.md): synchronous workers, as many as cores, served every
database page faster and with a lower tail latency than more workers or threaded workers.
Each setting can be changed by an environment variable or on gunicorn's command line.
"""

from __future__ import annotations

import gc
import multiprocessing
import os

bind = os.environ.get("LESSON_APP_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("LESSON_APP_WORKERS", multiprocessing.cpu_count()))
worker_class = "sync"
# A request that takes longer than this is a bug or a stuck database: the worker is replaced.
timeout = int(os.environ.get("LESSON_APP_TIMEOUT", "30"))
graceful_timeout = 30
# Replace workers now and then so that slow growth of memory cannot add up.
max_requests = 5000
max_requests_jitter = 500
# Load the app once in the master: a broken setting stops the server at start, not per worker.
preload_app = True
accesslog = os.environ.get("LESSON_APP_ACCESS_LOG") or None
# gunicorn 27's control socket is one path per user: several servers on a host would clash.
control_socket_disable = True


def pre_fork(_server: object, _worker: object) -> None:
    """Move the loaded app out of the garbage collector's reach before forking: the workers
    then share its memory pages instead of copying them, and exit quickly."""
    gc.freeze()


def post_fork(_server: object, _worker: object) -> None:
    """Give each worker database connections of its own (pooled connections must not be
    shared across processes)."""
    from lesson_app.db import get_db
    from lesson_app.wsgi import app

    get_db(app).engine.dispose(close=False)
