#!/usr/bin/env bash
# CI: the container image, for real. Installs Debian's docker.io when there
# is no Docker to be had, starts dockerd when none is running, builds the
# image (make image) and checks its size and user, runs `feedloom build` in
# it on the shipped example and checks the output with feedcheck, the same
# on PostgreSQL through FEEDLOOM_DSN when FEEDLOOM_TEST_PG names a server,
# then runs `serve` in it until Docker calls it healthy, asks it over the
# published port and stops it. What it started — containers, their
# volumes, the image, the database, dockerd — is removed on exit. Runs from
# .ci/run (after feedcheck's install), as root, from a clone with ../shared
# beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

started=$SECONDS
tag="feedloom-ci:$$"
work=$(mktemp -d)
dockerd_pid=""
container=""
pg_db=""
# 30 MB, decimal: the image is 28.1 MB, nearly all of it the binary
# (SQLite and PostgreSQL drivers, character sets, time zones); see README,
# "Container". The metrics library is VictoriaMetrics' for its size:
# Prometheus' own client, with protobuf, took 2.3 MB more.
max_size=30000000

log() { echo "container.sh: $*" >&2; }
fail() {
  log "FAIL: $*"
  exit 1
}

cleanup() {
  local status=$?
  if [ -n "$container" ]; then
    if [ "$status" -ne 0 ]; then
      log "serve container's log and health:"
      docker logs --tail 40 "$container" >&2 || true
      docker inspect --format '{{json .State.Health}}' "$container" >&2 || true
    fi
    docker rm -f -v "$container" >/dev/null 2>&1 || true
  fi
  if docker info >/dev/null 2>&1; then
    docker image rm "$tag" >/dev/null 2>&1 || true
  fi
  if [ -n "$pg_db" ]; then
    psql -q "$FEEDLOOM_TEST_PG" -c "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true
  fi
  if [ -n "$dockerd_pid" ]; then
    if [ "$status" -ne 0 ]; then
      log "dockerd's log (last lines):"
      tail -n 20 "$work/dockerd.log" >&2 || true
    fi
    kill "$dockerd_pid" 2>/dev/null || true
    wait "$dockerd_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

# Docker: the one running, else Debian's, started here and stopped on exit.
if ! docker info >/dev/null 2>&1; then
  if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
    log "installing docker.io"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  fi
  # On a machine run by systemd the package starts its own daemon: wait a
  # moment for it rather than start a second one.
  for _ in $(seq 1 5); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  if ! docker info >/dev/null 2>&1; then
    log "starting dockerd (log: $work/dockerd.log)"
    dockerd >"$work/dockerd.log" 2>&1 &
    dockerd_pid=$!
    for _ in $(seq 1 60); do
      docker info >/dev/null 2>&1 && break
      kill -0 "$dockerd_pid" 2>/dev/null || fail "dockerd exited at start"
      sleep 1
    done
    docker info >/dev/null 2>&1 || fail "dockerd did not answer within 60 s"
  fi
fi

make image IMAGE="$tag"
size=$(docker image inspect --format '{{.Size}}' "$tag")
log "image $tag: $size bytes ($((size / 1024)) KiB)"
[ "$size" -le "$max_size" ] || fail "image is $size bytes, over $max_size"
user=$(docker image inspect --format '{{.Config.User}}' "$tag")
[[ "$user" =~ ^[1-9][0-9]*:[1-9][0-9]*$ ]] || fail "image user is \"$user\", want a numeric non-root uid:gid"
uid=${user%%:*}

# The site as an operator mounts it: the shipped config.yaml with its store
# and output in the image's volumes, beside the example folders it names.
site="$work/site"
mkdir -p "$site"
cp -R examples "$site/"
sed -e 's|^data_dir: data$|data_dir: /var/lib/feedloom|' \
  -e 's|^  dir: public$|  dir: /srv/feedloom/public|' config.yaml >"$site/config.yaml"
if ! grep -q '^data_dir: /var/lib/feedloom$' "$site/config.yaml" || ! grep -q '^  dir: /srv/feedloom/public$' "$site/config.yaml"; then
  fail "config.yaml no longer has 'data_dir: data' and '  dir: public' lines to point at the volumes"
fi
chmod -R a+rX "$site"

# build, with the volumes on host folders so feedcheck can read the output:
# a bind mount keeps the host's owner, so they are given to the image's user.
data="$work/data"
public="$work/public"
mkdir -p "$data" "$public"
chown "$user" "$data" "$public"
docker run --rm -v "$site:/etc/feedloom:ro" -v "$data:/var/lib/feedloom" -v "$public:/srv/feedloom/public" \
  "$tag" build || fail "feedloom build in the container exited $?"
[ -f "$data/feedloom.db" ] || fail "no store in the data volume"
../shared/tools/feedcheck/feedcheck "$public"
[ -z "$(find "$public" ! -uid "$uid" -print -quit)" ] || fail "output written by a user other than $uid"

# build on PostgreSQL: the store's DSN from FEEDLOOM_DSN, none in the file.
if [ -n "${FEEDLOOM_TEST_PG:-}" ]; then
  pg_db="feedloom_container_$$"
  psql -q "$FEEDLOOM_TEST_PG" -c "CREATE DATABASE $pg_db" >/dev/null
  # The same server and options, another database.
  base=${FEEDLOOM_TEST_PG%%\?*}
  dsn="${base%/*}/$pg_db${FEEDLOOM_TEST_PG#"$base"}"
  pgsite="$work/pgsite"
  cp -R "$site" "$pgsite"
  sed -i 's|^  driver: sqlite$|  driver: postgres|' "$pgsite/config.yaml"
  grep -q '^  driver: postgres$' "$pgsite/config.yaml" || fail "config.yaml no longer has a '  driver: sqlite' line"
  # The test server listens on the host's loopback only.
  docker run --rm --network host -e FEEDLOOM_DSN="$dsn" -v "$pgsite:/etc/feedloom:ro" "$tag" build ||
    fail "feedloom build on PostgreSQL in the container exited $?"
  items=$(psql -tA "$dsn" -c "SELECT count(*) FROM items")
  [ "$items" -gt 0 ] || fail "no items in PostgreSQL after the build"
  log "PostgreSQL through FEEDLOOM_DSN: $items items stored"
fi

# serve, on the image's own volumes (which must be writable by its user),
# until Docker's health check, `feedloom healthcheck`, passes.
container=$(docker run -d -v "$site:/etc/feedloom:ro" -p 127.0.0.1::8080 --health-interval 1s "$tag")
up=$SECONDS
deadline=$((up + 90))
while :; do
  state=$(docker inspect --format '{{.State.Status}} {{.State.Health.Status}}' "$container")
  case "$state" in
    "running healthy") break ;;
    "running starting") ;;
    *) fail "serve container is $state" ;;
  esac
  [ "$SECONDS" -lt "$deadline" ] || fail "serve container not healthy within 90 s"
  sleep 1
done
log "serve container healthy after $((SECONDS - up)) s"

# http_get PORT PATH prints the status line of a GET, with bash alone.
http_get() {
  if ! { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null; then
    echo "no connection to 127.0.0.1:$1"
    return
  fi
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
  head -n 1 <&3 | tr -d '\r'
  exec 3<&-
}
port=$(docker port "$container" 8080/tcp | head -n 1)
port=${port##*:}
line=$(http_get "$port" /healthz)
[[ "$line" == "HTTP/1."[01]" 200 "* ]] || fail "GET /healthz on the published port: $line"
# Healthy means a refresh succeeded; its publish follows scheduler.debounce later.
for _ in $(seq 1 30); do
  line=$(http_get "$port" /en/feed.json)
  [[ "$line" == "HTTP/1."[01]" 200 "* ]] && break
  sleep 1
done
[[ "$line" == "HTTP/1."[01]" 200 "* ]] || fail "GET /en/feed.json on the published port: $line"

# SIGTERM (docker stop) reaches feedloom as PID 1 and it exits 0.
docker stop -t 20 "$container" >/dev/null
code=$(docker inspect --format '{{.State.ExitCode}}' "$container")
[ "$code" = 0 ] || fail "serve exited $code on docker stop"

log "ok in $((SECONDS - started)) s"
