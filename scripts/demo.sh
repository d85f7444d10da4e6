#!/usr/bin/env bash
# The first README command: installs what is missing, builds, starts the demo upstream (a fake
# OpenMRS REST service with a WebSocket echo) and Vigie in front of it, prints the URLs, and runs
# until Ctrl-C.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/lib.sh"

vigie_install
VIGIE_TARGETS="vigie vigie-demo-upstream" vigie_build build RelWithDebInfo

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

"$ROOT/build/tests/vigie-demo-upstream" 18080 &
pids+=($!)
"$ROOT/build/vigie" check --config "$ROOT/config/demo.yaml"
ready=$(mktemp -u)
mkfifo "$ready"
"$ROOT/build/vigie" run --config "$ROOT/config/demo.yaml" --ready-fd 3 3>"$ready" 2>"$ROOT/build/demo-vigie.log" &
pids+=($!)
if ! read -r -t 30 line <"$ready"; then
  echo "Vigie did not start; see $ROOT/build/demo-vigie.log" >&2
  exit 1
fi
rm -f "$ready"
cat <<MSG

Vigie is running in front of the demo upstream ($line).

  Patients (fake OpenMRS REST):  curl http://127.0.0.1:8080/openmrs/ws/rest/v1/patient?q=martin
  Request echo:                  curl -H 'X-Forwarded-User: spoofed' http://127.0.0.1:8080/echo
  WebSocket echo:                ws://127.0.0.1:8080/ws
  No route (JSON / HTML):        curl http://127.0.0.1:8080/nope ; open it in a browser
  Health, readiness, metrics:    http://127.0.0.1:9901/healthz  /readyz  /metrics
  Reload the config:             kill -HUP $(jobs -p | tail -1)

Open http://127.0.0.1:8080/openmrs/ws/rest/v1/patient in a browser. The access log streams below;
Ctrl-C stops everything.

MSG
wait
