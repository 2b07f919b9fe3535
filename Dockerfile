# Samarbeidsbot for Azure App Service / Container Apps. Multi-stage, runs as a non-root user.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY dialogs ./dialogs
COPY cards ./cards
COPY storage ./storage
RUN python -m venv /venv && /venv/bin/pip install --no-cache-dir --upgrade pip \
    && /venv/bin/pip install --no-cache-dir .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 samarbeidsbot
COPY --from=build /venv /venv
COPY --chown=samarbeidsbot data /app/data
WORKDIR /app
USER samarbeidsbot
ENV PATH=/venv/bin:$PATH DATA_DIR=/app/data PORT=3978 \
    DATABASE_URL=sqlite+aiosqlite:////app/var/samarbeidsbot.db PYTHONUNBUFFERED=1
RUN mkdir -p /app/var
EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import os,urllib.request,sys; sys.exit(urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\",\"3978\")}/healthz', timeout=4).status != 200)"
# Listening on 0.0.0.0 needs authentication: set MicrosoftAppId and MicrosoftAppPassword (the bot's Azure
# registration). Without them `serve` refuses to start, unless ALLOW_UNAUTHENTICATED=true is set explicitly
# (only behind a gateway that authenticates the Bot Connector itself). docs/security.md.
CMD ["sh", "-c", "samarbeidsbot serve --host 0.0.0.0 --port ${PORT}"]
