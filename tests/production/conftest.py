# The browser fixtures of the e2e suite, for the journey that runs on gunicorn.
from tests.e2e.conftest import browser, csp_violations  # noqa: F401
