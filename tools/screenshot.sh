#!/bin/sh
# docs/example-site.png: the example site's front page as `make run` serves it, taken with Debian's
# headless Chromium (`make browser` installs it). Run from the repository root after `make run` or
# `make test` has made .venv:  sh tools/screenshot.sh
set -eu
PORT=${PORT:-8765}
NEWSGEN=${NEWSGEN:-.venv/bin/newsgen}
OUT=${OUT:-docs/example-site.png}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1767225600}
$NEWSGEN serve . --port "$PORT" --quiet &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/')" 2>/dev/null && break
  sleep 0.2
done
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,900 \
  --screenshot="$OUT" "http://127.0.0.1:$PORT/"
ls -l "$OUT"
