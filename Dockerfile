# tgmon: one worker (Telethon client + scheduler) per container.
#   docker build -t tgmon .
#   docker run -d --env-file .env -v tgmon-data:/data -v "$PWD/tgmon.toml:/etc/tgmon/tgmon.toml:ro" tgmon
# Data (SQLite database, media) lives in the /data volume; the config directory is read-only.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY monitor ./monitor
COPY storage ./storage
COPY config ./config
COPY docker/install.sh ./docker/install.sh
RUN python -m venv /opt/tgmon \
 && PYTHON=/opt/tgmon/bin/python PIP_INSTALL_OPTIONS=--no-cache-dir sh docker/install.sh /src

FROM python:3.11-slim
ENV PATH=/opt/tgmon/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    TGMON_DATA_DIR=/data
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin tgmon \
 && mkdir -p /data /etc/tgmon \
 && chown tgmon:tgmon /data
COPY --from=build /opt/tgmon /opt/tgmon
USER tgmon
# tgmon reads ./tgmon.toml: mount the config (and its watchlists/) at /etc/tgmon, read-only.
# Without it the bundled example config applies.
WORKDIR /etc/tgmon
VOLUME ["/data"]
# The analyst desk ([web] serve_with_daemon = true, or CMD ["web"]). Inside a container it must
# listen on 0.0.0.0, which tgmon allows only with a login set (TGMON_WEB__TOKEN, or a user).
EXPOSE 8765
HEALTHCHECK --interval=60s --timeout=20s --start-period=60s --retries=3 CMD ["tgmon", "health"]
ENTRYPOINT ["tgmon"]
CMD ["run"]
