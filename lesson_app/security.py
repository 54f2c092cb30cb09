"""Security headers on every response, a session cookie that is Secure over HTTPS, and a
request id that ties a logged error to the page the visitor saw.

The Content-Security-Policy allows only the site's own scripts and style sheets: the templates
hold no inline script, style attribute or event handler, so an injected one would not run.
"""

from __future__ import annotations

import logging
import re
import uuid

from flask import Flask, current_app, g, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.wrappers import Response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)

#: Sent on every response. The referrer stays on the site (the CSRF check of a form sent over
#: HTTPS compares it with the host), other sites never see a lesson or results address.
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

#: Over HTTPS only: browsers must come back over HTTPS for a year. Subdomains are left out,
#: a school's other sites on its domain may not all have certificates.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"

#: An id sent by the proxy in front of the app (nginx's $request_id) is kept when it looks
#: like one, so that the proxy's log and the app's log can be matched.
REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{8,64}")

LOG_FORMAT = "[%(asctime)s] %(levelname)s request=%(request_id)s %(module)s: %(message)s"


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, whose cookie is also Secure when the request came over
    HTTPS (SESSION_COOKIE_SECURE makes it Secure always)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure when configured so, or when this request came over HTTPS."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (
            has_request_context() and request.is_secure
        )


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record: the current request's id, or "-" outside one."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Fill in the record's request id; never drops a record."""
        record.request_id = request_id() if has_request_context() else "-"
        return True


def init_app(app: Flask) -> None:
    """Install the session interface, the request id in the log and the headers on ``app``."""
    app.session_interface = SessionInterface()
    app.after_request(add_security_headers)
    # app.logger is one logger per package name, shared by every app made in this process
    if not any(isinstance(f, RequestIdFilter) for f in app.logger.filters):
        app.logger.addFilter(RequestIdFilter())
    for handler in app.logger.handlers:
        handler.setFormatter(logging.Formatter(LOG_FORMAT))


def request_id() -> str:
    """The current request's id (also in the X-Request-ID response header and the log): the
    proxy's when a proxy is trusted and its id well formed, else a new one, made when first
    asked for (so an error raised before any view has one too)."""
    if "request_id" not in g:
        sent = request.headers.get(REQUEST_ID_HEADER, "")
        trusted = request.environ.get("werkzeug.proxy_fix.orig") is not None
        g.request_id = sent if trusted and REQUEST_ID_PATTERN.fullmatch(sent) else uuid.uuid4().hex
    return g.request_id


def add_security_headers(response: Response) -> Response:
    """Add the headers every response carries; keep pages of a logged-in visitor out of
    caches, where the next person at a shared classroom computer could find them."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers[REQUEST_ID_HEADER] = request_id()
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
    if _logged_in_page():
        response.headers["Cache-Control"] = "no-store"
    return response


def _logged_in_page() -> bool:
    """True for a page (not a static file) asked for by a logged-in visitor. Without a session
    cookie nobody is logged in, and the session need not be opened to know it."""
    if request.endpoint == "static":
        return False
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return False
    return "_user_id" in session
