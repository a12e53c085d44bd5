# syntax=docker/dockerfile:1
#
# topicdesk container image: the bot (`topicdesk`, the entrypoint) and the
# `migration` CLI. The bot applies pending migrations itself at every start.
#
#   docker build -t topicdesk .
#
# Needs BuildKit (the default builder of current Docker) for the cache mounts.

ARG RUST_VERSION=1.94

# ---------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------
# The full rust image (not -slim) brings the C compiler that the bundled
# SQLite and ring need. Bookworm, to match the runtime's glibc.
FROM rust:${RUST_VERSION}-bookworm AS build
WORKDIR /src

COPY . .

# Downloaded crates and compiled dependencies live in BuildKit cache mounts,
# so a source change rebuilds only the workspace crates. The target directory
# is a cache mount too, hence the binaries are copied out in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/usr/local/cargo/git,sharing=locked \
    --mount=type=cache,target=/src/target,sharing=locked \
    cargo build --release --locked -p topicdesk -p migration --bins \
    && mkdir -p /out \
    && cp target/release/topicdesk target/release/migration /out/

# ---------------------------------------------------------------------------
# Runtime
# ---------------------------------------------------------------------------
FROM debian:bookworm-slim AS runtime

# The bot itself needs no TLS libraries: rustls with built-in root
# certificates (webpki-roots). ca-certificates is there for anything else run
# in the container; curl is for the health check below.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 topicdesk \
    && useradd --system --uid 10001 --gid topicdesk \
        --home-dir /app --no-create-home --shell /usr/sbin/nologin topicdesk \
    && mkdir -p /app/data \
    && chown -R topicdesk:topicdesk /app

COPY --from=build /out/topicdesk /out/migration /usr/local/bin/

WORKDIR /app
USER topicdesk

# Without DATABASE_URL or POSTGRES_HOST the bot keeps its SQLite database in
# ./data, i.e. /app/data/topicdesk.db: keep it on a volume.
VOLUME ["/app/data"]

EXPOSE 8080

# /healthz only says the process is up. /readyz would fail while the groups
# are misconfigured, and restarting the bot would not fix that.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${APP_PORT:-8080}/healthz" || exit 1

# The bot handles SIGTERM itself: it stops intake and lets in-flight updates
# finish for up to 10 s, so give it more than that before SIGKILL.
STOPSIGNAL SIGTERM
ENTRYPOINT ["topicdesk"]
