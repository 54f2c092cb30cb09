"""Flask extensions, created unbound here and bound to the app in ``create_app``."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see this page."


@login_manager.user_loader
def load_user(session_id: str) -> object:
    """The user of a session, if the session is still current (see ``User.get_id``)."""
    from lesson_app.db import get_session
    from lesson_app.services.accounts import load_session_user

    return load_session_user(get_session(), session_id)


# Storage comes from RATELIMIT_STORAGE_URI (env LESSON_APP_RATELIMIT_STORAGE_URI):
# memory:// by default, redis://host:6379 when several workers must share the counts.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
