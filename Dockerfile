# Activation Lab: production image. Build: docker build -t activation-lab .
# Run: docker run --read-only --tmpfs /tmp -p 8000:8000 activation-lab   (WEB_CONCURRENCY: workers)
# Two stages: the first builds a wheel and installs it with the hashed lock into /opt/venv; the
# second copies only that venv onto a clean base without pip, setuptools or wheel.

FROM python:3.11.14-slim-bookworm AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src

# A venv without pip: the build stage's pip installs into it (pip --python), so none is copied.
RUN python -m venv --without-pip /opt/venv

# Dependencies first, in their own layer: source edits do not reinstall them. Every file's
# hash is in the lock; pip refuses anything else.
COPY requirements.lock ./
RUN pip --python /opt/venv/bin/python install --no-cache-dir --require-hashes --no-deps \
        -r requirements.lock

COPY pyproject.toml README.md ./
COPY app ./app
COPY templates ./templates
COPY static ./static
# A real (non-editable) install from a wheel. The app reads templates/ and static/ beside its
# app/ package (app/config.py), so they go beside it in site-packages.
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /tmp/wheels . \
    && pip --python /opt/venv/bin/python install --no-cache-dir --no-deps /tmp/wheels/*.whl \
    && site_packages="$(/opt/venv/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" \
    && cp -r templates static "$site_packages/" \
    && /opt/venv/bin/python -m compileall -q "$site_packages/app"


FROM python:3.11.14-slim-bookworm

# Nothing installs anything at run time: pip, setuptools, wheel and ensurepip's bundled copies
# go. The app's user has no home directory; nothing is written outside /tmp.
RUN python -m pip uninstall --yes --no-cache-dir pip setuptools wheel \
    && rm -rf /usr/local/lib/python3.11/ensurepip /root/.cache \
    && useradd --uid 10001 --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin actlab

COPY --from=build /opt/venv /opt/venv

# One BLAS thread per worker: WEB_CONCURRENCY workers share the container's CPU limit.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    OPENBLAS_NUM_THREADS=1 \
    OMP_NUM_THREADS=1 \
    ACTLAB_HOST=0.0.0.0 \
    ACTLAB_PORT=8000 \
    WEB_CONCURRENCY=2

WORKDIR /
USER 10001
EXPOSE 8000

# bash's /dev/tcp instead of a Python process per probe; the port follows ACTLAB_PORT.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${ACTLAB_PORT:-8000} && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3"]

CMD ["activation-lab"]
