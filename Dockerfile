# Activation Lab: production image. Build: docker build -t activation-lab .
# Run: docker run -p 8000:8000 activation-lab   (WEB_CONCURRENCY sets the worker count)
FROM python:3.11.14-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, in their own layer: source edits do not reinstall them.
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

# The app reads templates/ and static/ beside app/, so it is installed from this directory.
COPY pyproject.toml README.md ./
COPY app ./app
COPY templates ./templates
COPY static ./static
RUN pip install --no-cache-dir --no-deps -e . \
    && useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin actlab

USER 10001

ENV ACTLAB_HOST=0.0.0.0 \
    ACTLAB_PORT=8000 \
    WEB_CONCURRENCY=2

EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["activation-lab"]
