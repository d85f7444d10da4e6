#!/usr/bin/env bash
# The first README command: installs what is missing, builds, starts a local OpenID provider
# shaped like Entra ID, the demo upstream (a fake OpenMRS REST service with a WebSocket echo) and
# Vigie in front of it, prints the URLs, and runs until Ctrl-C.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/lib.sh"

vigie_install
vigie_node_deps
VIGIE_TARGETS="vigie vigie-demo-upstream" vigie_build build RelWithDebInfo

pids=()
run_dir=$(mktemp -d)
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$run_dir"
}
trap cleanup EXIT INT TERM

# Demo secrets, fresh each run, passed the way production passes them (env or files).
export VIGIE_DEMO_CLIENT_SECRET=demo-client-secret-not-for-production
VIGIE_DEMO_COOKIE_KEYS=$(openssl rand -base64 32)
export VIGIE_DEMO_COOKIE_KEYS
# The audit chain goes on from one demo run to the next, so its key is kept beside it.
mkdir -p -m 0700 "$ROOT/build/demo-audit"
[[ -s $ROOT/build/demo-audit/key ]] || (umask 077 && openssl rand -base64 48 | tr -d '\n' >"$ROOT/build/demo-audit/key")
VIGIE_DEMO_AUDIT_KEY=$(cat "$ROOT/build/demo-audit/key")
export VIGIE_DEMO_AUDIT_KEY

# The provider exits when its stdin closes: hold a pipe open for as long as this script runs.
mkfifo "$run_dir/idp-stdin" "$run_dir/idp-ready"
node "$ROOT/tests/support/oidc/entra_provider.mjs" --config "$ROOT/config/demo-oidc.json" \
  <"$run_dir/idp-stdin" >"$run_dir/idp-ready" 2>"$ROOT/build/demo-idp.log" &
pids+=($!)
exec 4>"$run_dir/idp-stdin"
if ! read -r -t 30 idp <"$run_dir/idp-ready"; then
  echo "the OpenID provider did not start; see $ROOT/build/demo-idp.log" >&2
  exit 1
fi

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

Vigie is running ($line) in front of the demo upstream, with a local OpenID provider
shaped like Entra ID ($idp).

  Open in a browser (signs you in):  http://127.0.0.1:8080/openmrs/ws/rest/v1/patient?q=martin
  Who am I:                          http://127.0.0.1:8080/oauth2/userinfo
  Sign out:                          http://127.0.0.1:8080/oauth2/sign_out
  The demo provider has no login form: you are alice (clinician). To be bob next time:
      curl -X POST -H 'Content-Type: application/json' -d '{"user":"bob"}' http://127.0.0.1:18081/test/next-login
  Without a session, an API client gets 401:  curl http://127.0.0.1:8080/openmrs/ws/rest/v1/patient
  A service principal's bearer token:
      t=\$(curl -s -d grant_type=client_credentials -d client_id=prometheus-federation \\
           -d client_secret=demo-daemon-secret-not-for-production -d scope=api://vigie-demo/.default \\
           http://127.0.0.1:18081/7c0d5a2e-3b1f-4e8a-9c64-5d2b8e1f0a93/oauth2/v2.0/token | sed 's/.*"access_token":"\\([^"]*\\)".*/\\1/')
      curl -H "Authorization: Bearer \$t" http://127.0.0.1:8080/federate
  Public request echo (identity headers from the client are stripped):
      curl -H 'X-Forwarded-User: spoofed' http://127.0.0.1:8080/echo
  The audit trail of patient data (one JSON line per request, HMAC-chained), and its check:
      tail -f build/demo-audit/patient.log
      build/vigie audit verify --key-file build/demo-audit/key build/demo-audit/patient.log*
  Health, readiness, metrics:  http://127.0.0.1:9901/healthz  /readyz  /metrics
  Reload the config:           kill -HUP $(jobs -p | tail -1)

The access log streams below; Ctrl-C stops everything.

MSG
wait
