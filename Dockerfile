# Production image for Cirkler: daphne serves HTTP and websockets on port 8000.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

RUN groupadd --system --gid 10001 cirkler \
    && useradd --system --uid 10001 --gid cirkler --home-dir /nonexistent --no-create-home \
       --shell /usr/sbin/nologin cirkler

# libmagic: uploads are checked by their bytes (python-magic); poppler draws PDF thumbnails.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmagic1 poppler-utils \
    && rm -rf /var/lib/apt/lists/*

# The code stays in /app (templates, static and locale are found next to config/);
# `pip install .` brings in the dependencies from pyproject.toml.
COPY . /app
RUN pip install . \
    && rm -rf build *.egg-info

# The settings refuse to load without a secret key when debug is off; this value is
# used for collectstatic only and never reaches the running container.
RUN DJANGO_SECRET_KEY=build-only-collectstatic-key python manage.py collectstatic --noinput

# Uploads live in a volume mounted here; Docker seeds a new volume with this ownership.
RUN mkdir -p /app/media && chown cirkler:cirkler /app/media

USER cirkler

EXPOSE 8000

CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "config.asgi:application"]
