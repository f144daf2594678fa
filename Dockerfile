# The tracker's image: web (gunicorn), Celery worker and Celery beat all run from it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PRIVATE_STORAGE_ROOT=/srv/private STATIC_ROOT=/srv/static

# Pango, HarfBuzz and fontconfig for WeasyPrint; fonts for the committee papers.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fontconfig fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml README.md ./
COPY scripts/build_app.sh scripts/
RUN scripts/build_app.sh install
COPY . .
# CI runs the same two build_app.sh steps in a clean virtualenv (tests/production).
RUN scripts/build_app.sh static \
 && useradd --system --home /app tracker \
 && mkdir -p /srv/private && chown tracker /srv/private
USER tracker

EXPOSE 8000
# Health checks are per service in docker-compose.yml (python -m trackerapp.probes):
# web, worker and beat run from this one image with different commands.
CMD ["gunicorn", "trackerapp.wsgi:application", "--config", "trackerapp/gunicorn.conf.py"]
