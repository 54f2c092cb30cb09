"""Gunicorn settings for profiling Lesson App's workers under load: Lesson App's own, plus
cProfile in each worker, written to ``$LESSON_APP_BENCH_PROFILE_DIR/worker-<pid>.prof`` when
the worker exits (``python -m pstats`` reads it).

Used by ``python -m bench.run --profile-workers DIR``."""

from __future__ import annotations

import cProfile
import os

from lesson_app.gunicorn_config import *  # noqa: F403  (the very same settings)
from lesson_app.gunicorn_config import post_fork as lesson_app_post_fork

_profiler = cProfile.Profile()


def post_fork(server: object, worker: object) -> None:  # noqa: F811
    """Renew the database connections, then start profiling this worker."""
    lesson_app_post_fork(server, worker)
    _profiler.enable()


def worker_exit(_server: object, _worker: object) -> None:
    """Write this worker's profile."""
    _profiler.disable()
    folder = os.environ["LESSON_APP_BENCH_PROFILE_DIR"]
    _profiler.dump_stats(os.path.join(folder, f"worker-{os.getpid()}.prof"))
