"""gunicorn settings for the web service, read from the environment.

GUNICORN_BIND (default 0.0.0.0:8000) and WEB_CONCURRENCY (workers, default 2). Behind a
proxy that terminates TLS, FORWARDED_ALLOW_IPS names it so that X-Forwarded-* from it is
believed. GUNICORN_CERTFILE and GUNICORN_KEYFILE let gunicorn terminate TLS itself.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Request lines go to the access log without query strings: a search may hold a name.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s'
# ...and without the secret of a calendar feed's address (trackerapp.logs.redact_secrets).
logger_class = "trackerapp.gunicorn_logging.RedactingLogger"
certfile = os.environ.get("GUNICORN_CERTFILE") or None
keyfile = os.environ.get("GUNICORN_KEYFILE") or None
