"""Use cases on the database. Functions take a session; none reads the Flask request."""
