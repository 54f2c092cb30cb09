"""Friendly HTML error pages; no traceback ever reaches the browser."""

from __future__ import annotations

from flask import Flask, abort, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from lesson_app.security import request_id

#: A title and a plain explanation for the errors a visitor is likely to meet.
MESSAGES = {
    400: (
        "Bad request",
        "The site could not understand what was sent. Please go back and try again.",
    ),
    403: (
        "Not for your account",
        "Your account cannot use this page. If you think it should, ask your teacher.",
    ),
    404: (
        "Page not found",
        "There is no page at this address. It may have moved, or the address may be mistyped.",
    ),
    405: ("Not allowed", "This page cannot be used that way. Please go back and use its links."),
    413: (
        "Too large",
        "What was sent is too large for the site. A lesson file may be at most 512 KB.",
    ),
    429: (
        "Too many tries",
        "There were too many tries in a short time. Please wait a few minutes and try again.",
    ),
    500: (
        "Something went wrong",
        "Sorry, something went wrong on our side. Please try again in a moment.",
    ),
}


def init_app(app: Flask) -> None:
    """Register the error handlers on the app, and the refusal of unreadable input."""
    app.register_error_handler(CSRFError, render_csrf_error)
    app.register_error_handler(HTTPException, render_http_error)
    app.register_error_handler(InternalServerError, render_http_error)
    app.before_request(refuse_unreadable_input)


def refuse_unreadable_input() -> None:
    """Answer 400 to a request whose address, query or form holds a NUL character, or whose
    form has a field whose name could not be read.

    No page of the site sends either. PostgreSQL refuses NUL in text: passed on to a query (a
    slug, an email address, a class name) it would end the request in a 500. Werkzeug names
    None a multipart field whose name it cannot read, which the views that go through the
    fields' names (the quiz's answers) do not expect. Uploaded files are not looked at: the
    lesson checker reports a binary file itself.
    """
    fields = (*request.args.items(multi=True), *request.form.items(multi=True))
    if "\x00" in request.path or any(k is None or "\x00" in k + v for k, v in fields):
        abort(400)


def render_http_error(error: HTTPException) -> tuple[str, int]:
    """Render the friendly page for an HTTP error (unhandled exceptions arrive as a 500)."""
    code = error.code or 500
    title, message = MESSAGES.get(code, (error.name, error.description or ""))
    page = render_template(
        "errors/error.html", code=code, title=title, message=message, request_id=request_id()
    )
    return page, code


def render_csrf_error(error: CSRFError) -> tuple[str, int]:
    """Explain a form sent without its security token (expired page, or sent from elsewhere)."""
    message = (
        "This form has expired or did not come from this site, so nothing was changed. "
        "Go back, reload the page and try again."
    )
    return render_template(
        "errors/error.html", code=400, title="Form expired", message=message
    ), 400
