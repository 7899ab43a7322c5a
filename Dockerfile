# syntax=docker/dockerfile:1
# Herald: one image for every role (`migrate`, `work`, `serve`, `jobs …`), chosen by the command.
#
#   docker build -t herald .
#   docker run --rm -e HERALD_DATABASE_URL=postgres://… herald migrate
#
# Not buildable on the project's build machines (no Docker engine); see README.md.

ARG SWIFT_VERSION=6.3

# --- build ------------------------------------------------------------------------------------
FROM swift:${SWIFT_VERSION}-bookworm AS build

# The two system libraries Herald wraps (Package.swift: CLibPQ, CCurl) and pkg-config to find them.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpq-dev libcurl4-openssl-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src

COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
# The Swift runtime is linked statically; libpq, libcurl and libstdc++ stay shared. The cache
# mount keeps fetched dependencies and object files between builds (BuildKit).
RUN --mount=type=cache,target=/src/.build \
    swift build -c release --product herald --static-swift-stdlib \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/herald" /out/usr/local/bin/herald

COPY sql /out/usr/local/share/herald/sql

# --- runtime ----------------------------------------------------------------------------------
FROM debian:bookworm-slim

# libpq5, libcurl4: the shared libraries Herald links; ca-certificates: TLS to Postmark, Twilio
# and PostgreSQL; tzdata: users' digest time zones; curl: the healthcheck of `herald serve`.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpq5 libcurl4 ca-certificates tzdata curl libstdc++6 \
 && rm -rf /var/lib/apt/lists/*

COPY --from=build /out/ /

RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin herald

# `herald migrate` reads its migrations here. `herald serve` must listen on every interface in a
# container (its default, 127.0.0.1, is unreachable from outside).
ENV HERALD_SQL_DIR=/usr/local/share/herald/sql \
    HERALD_HTTP_HOST=0.0.0.0 \
    HERALD_HTTP_PORT=8080 \
    HERALD_LOG_FORMAT=json

USER herald:herald
EXPOSE 8080
ENTRYPOINT ["herald"]
CMD ["--help"]
