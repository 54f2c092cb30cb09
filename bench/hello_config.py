"""Gunicorn settings for ``bench.hello``: exactly Lesson App's (workers, worker class,
timeouts, max requests, preloading), without its ``post_fork`` hook, which would build Lesson
App's database engine in every hello-world worker."""

from __future__ import annotations

from lesson_app.gunicorn_config import *  # noqa: F403  (the very same settings)


def post_fork(_server: object, _worker: object) -> None:  # noqa: F811
    """Nothing to do: hello world has no database connections to renew."""
