# Redis for docker/compose.scaled.yaml (the store the workers share), from
# Debian 12's `redis-server` package: no registry image is needed, and it is
# the Redis the Redis-store tests run against.
#
#   docker build -f docker/redis.Dockerfile -t wiredesk-redis docker
#
# Every write is on disk before its reply (appendfsync always), so a restart
# of Redis loses nothing the workers counted on.
ARG DEBIAN_IMAGE=debian:bookworm-slim
FROM ${DEBIAN_IMAGE}
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && install -d -o redis -g redis /data
USER redis
WORKDIR /data
VOLUME ["/data"]
EXPOSE 6379
ENTRYPOINT ["redis-server"]
CMD ["--bind", "0.0.0.0", "--protected-mode", "no", "--dir", "/data", \
     "--appendonly", "yes", "--appendfsync", "always"]
