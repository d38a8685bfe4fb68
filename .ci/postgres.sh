#!/usr/bin/env bash
# A throwaway PostgreSQL server for the store tests.
#
#   eval "$(bash .ci/postgres.sh start)"   # exports FEEDLOOM_TEST_PG
#   go test ./store/...
#   bash .ci/postgres.sh stop
#
# start installs Debian's postgresql package when it is missing, creates a
# cluster as the postgres user in a fresh temporary folder, starts it on a
# free 127.0.0.1 port with trust authentication, waits until it accepts
# connections and prints the export line on stdout (everything else goes to
# stderr). stop shuts the server down and removes the folder. Run as root.
set -euo pipefail

state=${FEEDLOOM_PG_STATE:-/tmp/feedloom-postgres.state}

log() { echo "postgres.sh: $*" >&2; }

# bin finds a PostgreSQL server program: on PATH, else in the newest
# /usr/lib/postgresql/*/bin.
bin() {
  if command -v "$1" >/dev/null 2>&1; then
    command -v "$1"
    return
  fi
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$dir" ] && [ -x "$dir/$1" ]; then
    echo "$dir/$1"
    return
  fi
  return 1
}

# as_postgres runs a command as the postgres user from a folder it may read.
as_postgres() {
  (cd / && runuser -u postgres -- "$@")
}

install() {
  if bin initdb >/dev/null && bin pg_ctl >/dev/null && bin pg_isready >/dev/null; then
    return
  fi
  log "installing postgresql"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
}

# free_port asks the kernel for an unused 127.0.0.1 port.
free_port() {
  python3 - <<'EOF' 2>/dev/null || shuf -i 20000-60000 -n 1
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

start() {
  if [ -f "$state" ]; then
    log "a server is already recorded in $state; run stop first"
    exit 1
  fi
  install
  local initdb pg_ctl pg_isready dir port
  initdb=$(bin initdb)
  pg_ctl=$(bin pg_ctl)
  pg_isready=$(bin pg_isready)

  dir=$(mktemp -d /tmp/feedloom-pg.XXXXXX)
  chown postgres: "$dir"
  chmod 700 "$dir"
  as_postgres "$initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >&2

  port=$(free_port)
  printf 'dir=%s\nport=%s\n' "$dir" "$port" >"$state"
  as_postgres "$pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >&2

  for _ in $(seq 1 50); do
    if "$pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then
      log "ready on 127.0.0.1:$port ($dir)"
      echo "export FEEDLOOM_TEST_PG=postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
      return
    fi
    sleep 0.2
  done
  log "server did not become ready; log follows"
  cat "$dir/server.log" >&2
  exit 1
}

stop() {
  if [ ! -f "$state" ]; then
    log "no server recorded in $state"
    return
  fi
  local dir port
  dir=$(sed -n 's/^dir=//p' "$state")
  port=$(sed -n 's/^port=//p' "$state")
  if [ -d "$dir/data" ]; then
    as_postgres "$(bin pg_ctl)" -D "$dir/data" -m fast -w stop >&2 || true
  fi
  case "$dir" in
    /tmp/feedloom-pg.*) rm -rf "$dir" ;;
  esac
  rm -f "$state"
  log "stopped the server on port $port"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
