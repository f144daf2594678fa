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
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
RUN DEBUG=false SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input \
 && useradd --system --home /app tracker \
 && mkdir -p /srv/private && chown tracker /srv/private
USER tracker

EXPOSE 8000
CMD ["gunicorn", "trackerapp.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
