# Prometheus for the compose files, from Debian 12's `prometheus` package:
# no registry image is needed (these machines reach none but Debian's), and
# it is the version scripts/packages-test.txt installs for promtool.
#
#   docker build -f docker/prometheus.Dockerfile -t wiredesk-prometheus docker
#
# The configuration is mounted at /etc/prometheus/prometheus.yml by the
# compose files; the data lives in the volume at /prometheus.
ARG DEBIAN_IMAGE=debian:bookworm-slim
FROM ${DEBIAN_IMAGE}
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends prometheus \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && install -d -o prometheus -g prometheus /prometheus
USER prometheus
VOLUME ["/prometheus"]
EXPOSE 9090
ENTRYPOINT ["/usr/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", \
     "--storage.tsdb.path=/prometheus", \
     "--web.listen-address=0.0.0.0:9090"]
