#!/usr/bin/env bash
# The application's part of building the image, shared by the Dockerfile and CI (which
# runs it in a clean virtualenv, as no image can be built there):
#   build_app.sh install   the runtime dependencies from pyproject.toml
#   build_app.sh static    collect the static files as production serves them
# PYTHON names the interpreter (default: python on the PATH).
set -euo pipefail
python_bin="${PYTHON:-python}"

case "${1:-}" in
  install)
    "$python_bin" -m pip install --no-cache-dir --quiet .
    ;;
  static)
    # collectstatic reads the settings, which with DEBUG off demand a real 50-character
    # key; this one is thrown away with the build step and signs nothing.
    DEBUG=false \
      SECRET_KEY="$("$python_bin" -c 'import secrets; print(secrets.token_urlsafe(50))')" \
      "$python_bin" manage.py collectstatic --no-input --verbosity 0
    ;;
  *)
    echo "usage: $0 install|static" >&2
    exit 2
    ;;
esac
