#!/usr/bin/env bash
# The demo: generate the embedded market, serve it on 127.0.0.1, collect it
# with the real crawlers, evaluate alerts, then open the dashboard.
set -euo pipefail
PY=$1 DIR=$2 PORT=$3 DASH_PORT=$4
STREAMLIT="$(dirname "$PY")/streamlit"
mkdir -p "$DIR"

echo "==> [1/4] generating the demo market (5 brands, 60 days of news and forum threads)"
"$PY" -m crawlers.demo build --out "$DIR" --port "$PORT"

echo "==> [2/4] serving it on http://127.0.0.1:$PORT"
"$PY" -m crawlers.demo serve --dir "$DIR/site" --port "$PORT" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 50); do
  "$PY" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$PORT/robots.txt', timeout=1)" 2>/dev/null && break
  sleep 0.1
done

echo "==> [3/4] collecting every source through the crawlers"
"$PY" -m crawlers collect --config "$DIR/vigie.toml" --db "$DIR/vigie.duckdb"
if "$PY" -c "import warehouse.alerting" 2>/dev/null; then
  "$PY" -m warehouse alerts --config "$DIR/vigie.toml" --db "$DIR/vigie.duckdb" --no-send --backfill 60 || true
fi

if [ -n "${NO_DASHBOARD:-}" ]; then
  echo "==> demo data ready in $DIR/vigie.duckdb"
  exit 0
fi
echo "==> [4/4] opening the dashboard at http://localhost:$DASH_PORT (Ctrl-C to stop)"
VIGIE_DB="$DIR/vigie.duckdb" VIGIE_CONFIG="$DIR/vigie.toml" \
  "$STREAMLIT" run dashboard/app.py --server.address 127.0.0.1 --server.port "$DASH_PORT" \
  --server.headless false --browser.gatherUsageStats false
