# Vigie container image: a Release build on Debian 12, copied into a slim runtime image that holds
# only the shared libraries the binary links and the CA certificates (for https upstreams).
#
#   docker build -t vigie:0.1.0 .
#   docker run --rm -p 8443:8443 -p 9901:9901 \
#     -v "$PWD/config/vigie.yaml:/etc/vigie/vigie.yaml:ro" -v /path/to/tls:/etc/vigie/tls:ro vigie:0.1.0

# ---- build -------------------------------------------------------------------------------------
FROM debian:12-slim AS build

RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates \
      cmake \
      g++ \
      libboost1.81-dev \
      libhiredis-dev \
      libspdlog-dev \
      libssl-dev \
      libyaml-cpp-dev \
      ninja-build \
      nlohmann-json3-dev \
      prometheus-cpp-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
# Only what the binary is built from: tests, fuzz targets and docs stay out of the build context
# (see .dockerignore), so editing them does not invalidate this layer.
COPY CMakeLists.txt ./
COPY proxy/ proxy/

RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DVIGIE_TESTS=OFF \
 && ninja -C build vigie \
 && strip build/vigie \
 && build/vigie --version

# ---- runtime -----------------------------------------------------------------------------------
FROM debian:12-slim

# Runtime libraries of the build-stage -dev packages. libhiredis0.14 is for the Redis-backed
# session store and rate limits of later milestones.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates \
      libfmt9 \
      libhiredis0.14 \
      libprometheus-cpp-core1.0 \
      libspdlog1.10 \
      libssl3 \
      libyaml-cpp0.7 \
 && rm -rf /var/lib/apt/lists/*

# A fixed unprivileged uid (the "nonroot" convention, 65532) so Kubernetes runAsNonRoot can verify it.
RUN groupadd --system --gid 65532 vigie \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin vigie \
 && mkdir -p /etc/vigie/tls

COPY --from=build /src/build/vigie /usr/local/bin/vigie
COPY config/vigie.yaml /etc/vigie/vigie.yaml
# The shipped policies, for `authorization.policy_files: [/etc/vigie/policies/...]`; deployments
# usually mount their own (the group aliases are theirs).
COPY policies/ /etc/vigie/policies/

USER 65532:65532

# 8443: the TLS listener of config/vigie.yaml. 9901: admin (/healthz, /readyz, /metrics).
EXPOSE 8443 9901

# SIGTERM drains (readiness 503, listeners closed, in-flight requests finish); it is the default
# stop signal, so no STOPSIGNAL is needed. Health checks are Kubernetes probes on the admin port.
ENTRYPOINT ["/usr/local/bin/vigie"]
CMD ["run", "--config", "/etc/vigie/vigie.yaml"]
