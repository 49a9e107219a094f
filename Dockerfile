# syntax=docker/dockerfile:1
#
# examhall's container image: a static binary on distroless/static (CA
# certificates, tzdata, /etc/passwd with "nonroot"; no shell, no curl).
#
#   docker build -t examhall .
#   docker run -d --name examhall -p 8080:8080 -v examhall-data:/data \
#     -e EXAMHALL_BASE_URL=https://exams.example.com examhall
#   docker exec examhall examhall createadmin --username admin --password '...'
#
# The SQLite database is /data/examhall.db (EXAMHALL_DB), in the volume; give
# EXAMHALL_DB=postgres://... to use PostgreSQL instead. Every flag has an
# EXAMHALL_* twin (examhall help serve).

# The Go release go.mod asks for (go 1.26.x).
ARG GO_VERSION=1.26

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
# Modules first: this layer is rebuilt only when go.mod or go.sum change.
COPY go.mod go.sum ./
RUN go mod download && go mod verify
COPY . .
# CGO_ENABLED=0: a static binary (SQLite is modernc.org/sqlite, pure Go);
# timetzdata embeds the time zone database, so institute time zones work on
# any base image; -trimpath keeps the build machine's paths out of it.
RUN CGO_ENABLED=0 go build -trimpath -tags timetzdata -ldflags "-s -w" -o /out/examhall ./cmd/examhall \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/examhall /usr/local/bin/examhall
# The volume's mount point, owned by the non-root user (65532), so that a
# fresh named volume is writable by it.
COPY --from=build --chown=65532:65532 /out/data /data
ENV EXAMHALL_DB=/data/examhall.db \
    EXAMHALL_ADDR=:8080
USER 65532:65532
WORKDIR /data
VOLUME /data
EXPOSE 8080
# No curl here: the binary checks itself (GET http://127.0.0.1:8080/healthz/,
# EXAMHALL_ADDR's port; exit 0 when it answers 200, 1 otherwise).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/examhall", "healthcheck"]
# serve stops gracefully on SIGTERM (docker stop), within --shutdown-timeout
# (30s; docker stop's own default is 10s: use docker stop -t 40).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/examhall"]
CMD ["serve"]
