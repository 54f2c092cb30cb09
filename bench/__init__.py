"""``make bench``: Lesson App's pages under gunicorn against a Flask "hello world" (see run.py)."""
