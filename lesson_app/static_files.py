"""Static files with cache headers: versioned URLs that browsers keep for a year.

In a template, ``static_url('css/site.css')`` gives ``/static/css/site.css?v=<digest>``, the
digest being the first 12 hex digits of the SHA-256 of the file's bytes. A request whose ``v``
is the file's current digest is answered with ``Cache-Control: public, max-age=31536000,
immutable``: a changed file gets a new URL, so a browser never needs to ask again. Any other
request for a static file gets ``Cache-Control: no-cache``: the browser revalidates with the
ETag Flask already sends and gets a 304 when the file has not changed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, current_app, request, url_for
from werkzeug.security import safe_join
from werkzeug.wrappers import Response

DIGEST_LENGTH = 12
LONG_CACHE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
EXTENSION_KEY = "lesson_app.static_digests"
TEMPLATE_NAMES_KEY = "lesson_app.static_digests_by_name"
#: Statuses of a file actually served (whole, in part, or "not modified").
SERVED = (200, 206, 304)


def init_app(app: Flask) -> None:
    """Offer ``static_url`` to templates and set the cache headers of static files."""
    # Digests by the file's full path: one entry per real file, however a URL spells it.
    app.extensions[EXTENSION_KEY] = {}
    # Digests by the name a template gives: found without looking at the disk again. Only
    # templates call static_url, so this holds a few names, never what a URL spells.
    app.extensions[TEMPLATE_NAMES_KEY] = {}
    app.add_template_global(static_url)
    app.after_request(set_cache_headers)


def static_url(filename: str) -> str:
    """Return the URL of a static file with its version: ``/static/<filename>?v=<digest>``.

    Raises ``FileNotFoundError`` when the static folder has no such file, so that a mistyped
    name fails the page (and its tests) instead of silently linking to a 404.
    """
    by_name: dict[str, str] = current_app.extensions[TEMPLATE_NAMES_KEY]
    if current_app.debug or filename not in by_name:
        by_name[filename] = static_digest(filename)
    return url_for("static", filename=filename, v=by_name[filename])


def static_digest(filename: str) -> str:
    """Return the first 12 hex digits of the SHA-256 of a static file, computed once per file
    and process (on every call in debug mode, where the files are being edited)."""
    path = _static_path(filename)
    digests: dict[str, str] = current_app.extensions[EXTENSION_KEY]
    if current_app.debug or path not in digests:
        digests[path] = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:DIGEST_LENGTH]
    return digests[path]


def _static_path(filename: str) -> str:
    """Return the full path of a file in the static folder; ``FileNotFoundError`` when the
    name is not a file there (or points outside the folder)."""
    folder = current_app.static_folder
    path = safe_join(folder, filename) if folder else None
    if path is None or not Path(path).is_file():
        raise FileNotFoundError(f"no static file {filename!r} in {folder}")
    return path


def set_cache_headers(response: Response) -> Response:
    """Let browsers keep a static file for a year when the URL names its current version;
    make them revalidate it otherwise."""
    if request.endpoint != "static" or response.status_code not in SERVED:
        return response
    version = request.args.get("v")
    filename = (request.view_args or {}).get("filename", "")
    response.headers["Cache-Control"] = (
        LONG_CACHE if version is not None and version == _digest_or_none(filename) else NO_CACHE
    )
    return response


def _digest_or_none(filename: str) -> str | None:
    """Return the digest of a static file, or None when there is no such file."""
    try:
        return static_digest(filename)
    except FileNotFoundError:
        return None
