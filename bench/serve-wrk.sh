#!/usr/bin/env bash
# Load test of `feedloom serve` with wrk: unconditional and conditional
# (If-None-Match → 304) GETs of a 50-item feed on loopback. Needs wrk
# (Debian package wrk). Usage: bench/serve-wrk.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-64}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }

make -s build
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/stories"
for i in $(seq 1 50); do
  printf -- '---\ntitle: Story number %d about the campus\ndate: 2025-03-%02dT09:00:00+08:00\nlanguage: en\n---\n%s\n' \
    "$i" $(( (i % 28) + 1 )) "$(printf 'A paragraph of the story, long enough to look like news. %.0s' $(seq 1 20))" \
    > "$work/stories/story-$i.md"
done
sed -e "s#examples/stories#$work/stories#" -e '/name: partner/,/retention: {max_age: 90d, max_items: 500}$/d' \
    -e "s#^data_dir: data#data_dir: $work/data#" -e "s#dir: public#dir: $work/public#" config.yaml > "$work/config.yaml"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
./bin/feedloom serve --config "$work/config.yaml" --addr "127.0.0.1:$port" 2>"$work/serve.log" &
pid=$!
url="http://127.0.0.1:$port/en/feed.json"
for _ in $(seq 1 100); do curl -sf "$url" -o /dev/null && break; sleep 0.1; done
etag=$(curl -sfI "$url" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag" {print $2}')
echo "feed: $url ($(curl -sf "$url" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))') items, $(curl -sf "$url" | wc -c) bytes), ETag $etag"
echo "== unconditional GET"
wrk -t2 -c"$conns" -d"${secs}s" "$url"
echo "== conditional GET (If-None-Match, 304)"
wrk -t2 -c"$conns" -d"${secs}s" -H "If-None-Match: $etag" "$url"
echo "== unconditional GET, gzip"
wrk -t2 -c"$conns" -d"${secs}s" -H "Accept-Encoding: gzip" "$url"
