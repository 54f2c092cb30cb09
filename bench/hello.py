"""The smallest Flask site: the yardstick every figure of the benchmark is divided by.

Served by gunicorn under Lesson App's own settings (``bench.hello_config``), so that the ratio
of a page to it measures what the page costs beyond the framework and the server.
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    """Say hello."""
    return "Hello, World!"
