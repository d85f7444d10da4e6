#!/usr/bin/env bash
# Benchmarks Vigie against nginx, side by side, unattended; and Vigie's authenticated requests
# against its unauthenticated ones.
#
#   tests/bench/run.sh                      # full run: 5 rounds x 10 s, 64 connections, 10k idle conns
#   ROUNDS=2 DURATION=3 IDLE_CONNS=2000 tests/bench/run.sh   # quick check
#
# Contestants, all on 127.0.0.1, each with one worker:
#   upstream       wrk -> nginx returning a fixed ~600-byte JSON body (the floor)
#   nginx          wrk -> nginx keep-alive reverse proxy -> upstream
#   vigie          wrk -> vigie (Release build, workers: 1) -> upstream, on a public route
#   vigie-session  the same vigie process, a route with auth: session; wrk sends a real session cookie
#   vigie-bearer   the same vigie process, a route with auth: bearer; wrk sends a service principal's
#                  JWT, verified once and then served from the worker's verified-token cache
# The credentials come from a local Entra-shaped OpenID provider (tests/support/oidc, Node.js): one
# sign-in with curl before every vigie-session run (a fresh cookie stays under Vigie's one-minute
# re-issue point), one client_credentials token for the whole run.
# Every server is pinned to one CPU and wrk to another; rounds are interleaved (the order rotates each
# round) and the tables report medians over rounds. Then the authenticated requests get rounds of their
# own: AUTH_ROUNDS short rounds of vigie, vigie-session and vigie-bearer back to back (order rotating),
# each round giving one session/public and one bearer/public ratio; the verdict on issue 3's target is
# the median of those paired ratios. On a shared machine whose speed drifts by a fifth within seconds,
# comparing runs seconds apart cancels most of the drift that medians of 10-second runs a minute apart keep.
# Results are printed and written to docs/benchmarks.md; the last three lines on stdout are
# "vigie-session/vigie throughput ratio: X.XX", "vigie-bearer/vigie throughput ratio: X.XX" (the paired
# medians) and "vigie/nginx throughput ratio: X.XX".
#
# Environment: ROUNDS (5), DURATION seconds (10, below 60: see above), CONNECTIONS (64), WARMUP
# seconds per contestant before the rounds (2), AUTH_ROUNDS (40) and AUTH_DURATION seconds (2) for the
# paired rounds, IDLE_CONNS (10000), BENCH_DOC (docs/benchmarks.md),
# BENCH_KEEP=1 keeps the temporary directory (configs, logs, raw wrk output) for inspection.
# PERF_CONTESTANT="NAME [NAME…]" records the serving process of those contestants with `perf record`
# during their first round and prints the top of each profile with sample counts (the figures of that
# round include perf's overhead).
# The steps shared with tests/bench/audit.sh (tools, build, servers, wrk, medians) are in lib.sh.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/bench/lib.sh
. "$HERE/lib.sh"

IDLE_CONNS=${IDLE_CONNS:-10000}
AUTH_ROUNDS=${AUTH_ROUNDS:-40}
AUTH_DURATION=${AUTH_DURATION:-2}
AUTH_DURATION=${AUTH_DURATION%s}
BENCH_DOC=${BENCH_DOC:-$ROOT/docs/benchmarks.md}
CONTESTANTS=(upstream nginx vigie vigie-session vigie-bearer)
AUTH_TARGET=0.90  # the issue's target: authenticated throughput >= 0.9x Vigie's unauthenticated throughput

check_params IDLE_CONNS AUTH_ROUNDS AUTH_DURATION
((AUTH_ROUNDS >= 1 && AUTH_DURATION >= 1)) || die "AUTH_ROUNDS and AUTH_DURATION must be >= 1"
# Vigie re-seals a session cookie that is a minute old or more on every request that carries it; a
# browser takes the new cookie, wrk cannot. Each vigie-session run starts with a fresh sign-in, so
# runs shorter than a minute measure the steady state (no re-issue).
COOKIE_AGE_NOTE=""
if ((DURATION >= 60 || WARMUP >= 60 || AUTH_DURATION >= 60)); then
  COOKIE_AGE_NOTE="DURATION, WARMUP or AUTH_DURATION is 60 s or more: after its first minute, every vigie-session request re-seals the cookie (wrk cannot take the re-issued one), which a browser would do once a minute"
  log "WARNING: $COOKIE_AGE_NOTE"
fi

install_tools
build_vigie
setup_machine "every server (upstream nginx, proxy nginx, vigie, and the OpenID provider, idle during the rounds)" \
  "wrk, curl and the idle-connection client"
if ((NOFILE < IDLE_CONNS + 200)); then
  log "WARNING: open-file limit $NOFILE is too low for IDLE_CONNS=$IDLE_CONNS; expect failures"
fi
start_temp

# ---------------------------------------------------------------------------------------------------
# Servers

start_nginx_pair
start_idp
start_vigie vigie vigie.yaml.in "$VIGIE_PORT"
VIGIE_PID=$LAST_PID

url_of() {  # contestant: the URL wrk loads
  case $1 in
    upstream) echo "http://127.0.0.1:$UPSTREAM_PORT/" ;;
    nginx) echo "http://127.0.0.1:$NGINX_PORT/" ;;
    vigie) echo "http://127.0.0.1:$VIGIE_PORT/" ;;
    vigie-session) echo "http://127.0.0.1:$VIGIE_PORT/session/" ;;
    vigie-bearer) echo "http://127.0.0.1:$VIGIE_PORT/bearer/" ;;
  esac
}
is_auth() { [[ $1 == vigie-session || $1 == vigie-bearer ]]; }
SESSION_COOKIE=""  # set by sign_in
# shellcheck disable=SC2034  # args_ is a nameref to the caller's array
header_args() {  # contestant array-name: fills the array with the -H arguments that carry the credential
  local -n args_=$2
  args_=()
  case $1 in
    vigie-session) args_=(-H "Cookie: $SESSION_COOKIE") ;;
    vigie-bearer) args_=(-H "Authorization: Bearer $BEARER_TOKEN") ;;
  esac
}

# A fresh session: curl follows /oauth2/start -> the provider (it signs alice in without a UI) ->
# /oauth2/callback -> back to the page, and the session cookie (in chunks when long) becomes a
# Cookie header. Fresh before every vigie-session run, so that no run reaches the one-minute point
# where Vigie re-seals the cookie on each request that still carries the old one.
sign_in() {
  local jar="$T/jar.txt" code="" i
  for ((i = 0; i < 50; i++)); do  # 503 until Vigie has fetched the provider's discovery document
    rm -f "$jar"
    code=$("${PIN_LOAD[@]}" curl -sS -o "$T/sign-in.body" -w '%{http_code}' --max-time 20 -L --max-redirs 10 \
      -c "$jar" -b "$jar" -H 'Accept: text/html' "$(url_of vigie-session)" 2>"$T/sign-in.err") || code=000
    [[ $code == 503 ]] || break
    sleep 0.2
  done
  [[ $code == 200 ]] || { cat "$T/sign-in.err" "$T/sign-in.body" >&2 2>/dev/null; tail_log "$T/vigie.log"; die "sign-in through vigie ended with HTTP $code"; }
  # Netscape jar: domain flag path secure expires name value; HttpOnly cookies start "#HttpOnly_".
  SESSION_COOKIE=$(awk -F'\t' '(!/^#/ || /^#HttpOnly_/) && NF == 7 && $6 ~ /^__Host-vigie(_[0-9]+)?$/ {
      n = $6; sub(/^__Host-vigie_?/, "", n); print (n == "" ? 0 : n) "\t" $6 "=" $7 }' "$jar" |
    sort -n | cut -f2 | paste -sd';' | sed 's/;/; /g')
  [[ -n $SESSION_COOKIE ]] || { cat "$jar" >&2; die "sign-in succeeded but the jar holds no __Host-vigie cookie"; }
}

sign_in
get_token
log "session cookie: $(awk -F'; ' '{ print NF }' <<<"$SESSION_COOKIE") chunk(s), ${#SESSION_COOKIE} bytes; bearer token: ${#BEARER_TOKEN} bytes"

# Sanity: both proxies return the upstream's body; each credential opens its route, and without it
# the route refuses (so the authenticated contestants do authenticate).
expect "GET / through nginx" 200 nginx
expect "GET / through vigie" 200 vigie
expect "vigie-session with its cookie" 200 vigie-session with-credential
expect "vigie-bearer with its token" 200 vigie-bearer with-credential
expect "vigie-session without a cookie" 401 vigie-session
expect "vigie-bearer without a token" 401 vigie-bearer

nginx_workers
IDLE_RSS_VIGIE=$(status_kib "$VIGIE_PID" VmRSS)
IDLE_RSS_NGINX=$(status_kib "$NGINX_WORKER" VmRSS)
log "idle RSS: vigie $IDLE_RSS_VIGIE KiB, nginx worker $IDLE_RSS_NGINX KiB"

port_of() { case $1 in upstream) echo "$UPSTREAM_PORT" ;; nginx) echo "$NGINX_PORT" ;; vigie*) echo "$VIGIE_PORT" ;; esac; }

# ---------------------------------------------------------------------------------------------------
# Throughput and latency rounds

before_run() { if [[ $1 == vigie-session ]]; then sign_in; fi; }  # a fresh cookie, before any CPU is counted
RESULTS="$T/results.txt"
: >"$RESULTS"
warm_up
run_rounds

# Paired rounds for the authenticated requests: vigie, vigie-session and vigie-bearer back to back.
PAIRED="$T/paired.txt"  # round contestant req/s
: >"$PAIRED"
paired_rounds() {
  local order=(vigie vigie-session vigie-bearer) r k c out parsed rps sock non2xx
  for ((r = 1; r <= AUTH_ROUNDS; r++)); do
    for ((k = 0; k < ${#order[@]}; k++)); do
      c=${order[(k + r - 1) % ${#order[@]}]}
      out="$T/wrk-paired-$c-$r.txt"
      before_run "$c"
      run_wrk "$c" "$AUTH_DURATION" "$out"
      check_alive
      parsed=$(parse_wrk "$out") || { cat "$out" >&2; die "cannot parse wrk output for $c paired round $r"; }
      read -r rps _ _ _ sock non2xx <<<"$parsed"
      if is_auth "$c" && ((non2xx > 0)); then die "$c paired round $r: $non2xx answers were not 2xx/3xx"; fi
      ((sock == 0)) || log "WARNING: $c paired round $r had $sock socket errors"
      echo "$r $c $rps" >>"$PAIRED"
    done
    log "paired round $r/$AUTH_ROUNDS: $(awk -v r="$r" '$1 == r { printf "%s %.0f  ", $2, $3 }' "$PAIRED")"
  done
}
paired_rounds
peak_rss

# ---------------------------------------------------------------------------------------------------
# Idle keep-alive connections

declare -A HELD_KIB BASE_KIB HELD_OK HELD_SUMMARY HELD_AFTER
idle_test() {  # contestant
  local c=$1 port pid fd_in fd_out summary after_line
  port=$(port_of "$c")
  pid=$(rss_pid_of "$c")
  BASE_KIB[$c]=$(status_kib "$pid" VmRSS)
  rm -f "$T/idle.in" "$T/idle.out"
  mkfifo "$T/idle.in" "$T/idle.out"
  "${PIN_LOAD[@]}" python3 "$HERE/idle_conns.py" --port "$port" --count "$IDLE_CONNS" <"$T/idle.in" >"$T/idle.out" &
  IDLE_PID=$!
  exec {fd_out}>"$T/idle.in" {fd_in}<"$T/idle.out"
  log "idle test $c: opening $IDLE_CONNS keep-alive connections"
  read -r -t 600 summary <&"$fd_in" || summary='{"error": "no summary from idle_conns.py"}'
  HELD_KIB[$c]=$(status_kib "$pid" VmRSS)
  HELD_SUMMARY[$c]=$summary
  HELD_OK[$c]=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1]).get("ok", 0))' "$summary" 2>/dev/null || echo 0)
  echo release >&"$fd_out"
  read -r -t 120 after_line <&"$fd_in" || after_line='{}'
  HELD_AFTER[$c]=$after_line
  exec {fd_out}>&- {fd_in}<&-
  wait "$IDLE_PID" || log "WARNING: idle_conns.py exited with status $?"
  IDLE_PID=""
  log "idle test $c: $summary; at release: $after_line; RSS ${BASE_KIB[$c]} -> ${HELD_KIB[$c]} KiB"
  if ((HELD_OK[$c] < IDLE_CONNS)); then log "WARNING: $c: only ${HELD_OK[$c]} of $IDLE_CONNS idle connections succeeded"; fi
  sleep 1  # let the server notice the closes before the next test
  check_alive
}
idle_test nginx
idle_test vigie

# ---------------------------------------------------------------------------------------------------
# Report
compute_medians

R_RPS=$(ratio "${RPS[vigie]}" "${RPS[nginx]}")
R_P99=$(ratio "${P99[vigie]}" "${P99[nginx]}")
R_CPU=$(ratio "${CPU[vigie]}" "${CPU[nginx]}")
R_CPU_US=$(ratio "${CPU_US[vigie]}" "${CPU_US[nginx]}")
# Authenticated over unauthenticated, the same Vigie process.
# Ratios of the 5-round medians (for reference), then the paired ratios (the verdict).
M_SESSION_RPS=$(ratio "${RPS[vigie-session]}" "${RPS[vigie]}")
R_SESSION_CPU_US=$(ratio "${CPU_US[vigie-session]}" "${CPU_US[vigie]}")
M_BEARER_RPS=$(ratio "${RPS[vigie-bearer]}" "${RPS[vigie]}")
R_BEARER_CPU_US=$(ratio "${CPU_US[vigie-bearer]}" "${CPU_US[vigie]}")
paired_ratios() {  # contestant: its req/s over vigie's in each paired round, one a line
  awk -v c="$1" '$2 == "vigie" { v[$1] = $3 } $2 == c { a[$1] = $3 }
    END { for (r in a) if (v[r] > 0) printf "%.4f\n", a[r] / v[r] }' "$PAIRED"
}
quartiles() {  # numbers on stdin: "Q1 Q3" (the medians of the lower and upper halves)
  sort -g | awk '{ x[NR] = $1 } END {
      h = int(NR / 2)
      if (h == 0) { print "n/a n/a"; exit }
      q1 = (h % 2) ? x[(h + 1) / 2] : (x[h / 2] + x[h / 2 + 1]) / 2
      o = NR - h
      q3 = (h % 2) ? x[o + (h + 1) / 2] : (x[o + h / 2] + x[o + h / 2 + 1]) / 2
      printf "%.2f %.2f\n", q1, q3 }'
}
R_SESSION_RPS=$(fmt %.2f "$(paired_ratios vigie-session | median_of)")
R_BEARER_RPS=$(fmt %.2f "$(paired_ratios vigie-bearer | median_of)")
read -r SESSION_Q1 SESSION_Q3 <<<"$(paired_ratios vigie-session | quartiles)"
read -r BEARER_Q1 BEARER_Q3 <<<"$(paired_ratios vigie-bearer | quartiles)"
SESSION_VERDICT=$(verdict "$R_SESSION_RPS" "$AUTH_TARGET")
BEARER_VERDICT=$(verdict "$R_BEARER_RPS" "$AUTH_TARGET")
COOKIE_CHUNKS=$(awk -F'; ' '{ print NF }' <<<"$SESSION_COOKIE")
per_conn() { awk -v a="$2" -v b="$1" -v n="$3" 'BEGIN { if (n > 0) printf "%.1f", (a - b) / n; else print "n/a" }'; }
MEM_ROWS=(
  "idle RSS after start-up (MiB)|$(mib "$IDLE_RSS_NGINX")|$(mib "$IDLE_RSS_VIGIE")"
  "RSS before the idle test (MiB)|$(mib "${BASE_KIB[nginx]}")|$(mib "${BASE_KIB[vigie]}")"
  "RSS with $IDLE_CONNS idle keep-alive connections (MiB)|$(mib "${HELD_KIB[nginx]}")|$(mib "${HELD_KIB[vigie]}")"
  "growth per idle connection (KiB)|$(per_conn "${BASE_KIB[nginx]}" "${HELD_KIB[nginx]}" "${HELD_OK[nginx]}")|$(per_conn "${BASE_KIB[vigie]}" "${HELD_KIB[vigie]}" "${HELD_OK[vigie]}")"
  "idle connections established (HTTP 200)|${HELD_OK[nginx]}|${HELD_OK[vigie]}"
  "still open when released|$(python3 -c 'import json, sys; print(json.loads(sys.argv[1]).get("still_open", "?"))' "${HELD_AFTER[nginx]}" 2>/dev/null || echo '?')|$(python3 -c 'import json, sys; print(json.loads(sys.argv[1]).get("still_open", "?"))' "${HELD_AFTER[vigie]}" 2>/dev/null || echo '?')"
)

log_issues

# stdout table
{
  echo
  echo "Vigie vs nginx: $ROUNDS interleaved rounds x ${DURATION}s, wrk -t1 -c$CONNECTIONS, medians; pinning: $PINNING"
  contestant_table
  echo
  echo "vigie/nginx ratios: throughput $R_RPS, p99 latency $R_P99, CPU per round $R_CPU, CPU per request $R_CPU_US"
  echo "vigie-session/vigie throughput: paired median $R_SESSION_RPS (quartiles $SESSION_Q1-$SESSION_Q3, $AUTH_ROUNDS rounds x ${AUTH_DURATION}s; target >= $AUTH_TARGET: $SESSION_VERDICT); ratio of the medians above $M_SESSION_RPS, CPU per request $R_SESSION_CPU_US"
  echo "vigie-bearer/vigie throughput: paired median $R_BEARER_RPS (quartiles $BEARER_Q1-$BEARER_Q3; target >= $AUTH_TARGET: $BEARER_VERDICT); ratio of the medians above $M_BEARER_RPS, CPU per request $R_BEARER_CPU_US"
  echo "credentials: session cookie $COOKIE_CHUNKS chunk(s), ${#SESSION_COOKIE} bytes; bearer token ${#BEARER_TOKEN} bytes"
  echo
  printf '%-52s %10s %10s\n' memory nginx vigie
  for row in "${MEM_ROWS[@]}"; do
    IFS='|' read -r a b d <<<"$row"
    printf '%-52s %10s %10s\n' "$a" "$b" "$d"
  done
  echo
  echo "server log lines: vigie error/warn $VIGIE_LOG_ISSUES, nginx error/crit/alert $NGINX_LOG_ISSUES"
}

# Markdown
mkdir -p "$(dirname "$BENCH_DOC")"
{
  echo "# Benchmarks: Vigie vs nginx, and authenticated requests"
  echo
  echo "Generated by \`tests/bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M:%S UTC'). Re-run it to refresh this page."
  echo
  echo "## Machine and software"
  echo
  md_machine
  echo
  echo "## Method"
  echo
  echo "- Contestants, all on 127.0.0.1 with one worker each:"
  echo "  - \`upstream\`: wrk straight to the upstream, an nginx returning a fixed ${#BODY}-byte JSON body (\`return 200\`); the floor."
  echo "  - \`nginx\`: nginx as a keep-alive reverse proxy (\`keepalive 64\`, \`proxy_http_version 1.1\`, \`Connection \"\"\`, no access log)."
  echo "  - \`vigie\`: Vigie with \`workers: 1\`, access log off, a public prefix route (\`auth: public\`) to the same upstream, \`GET /\`. Vigie has an \`identity\` section (for the next two), so even public requests have client identity headers and Vigie's own cookies removed."
  echo "  - \`vigie-session\`: the same Vigie process, a route with \`auth: session\` (\`GET /session/\`); wrk sends \`Cookie:\` with a real session ($COOKIE_CHUNKS chunk(s), ${#SESSION_COOKIE} bytes: the user's identity, two groups, one app role, and the ID and refresh tokens, as for Entra ID; no access token, since no route forwards it)."
  echo "  - \`vigie-bearer\`: the same Vigie process, a route with \`auth: bearer\` requiring an audience and an app role (\`GET /bearer/\`); wrk sends \`Authorization: Bearer\` with a service principal's client-credentials JWT (${#BEARER_TOKEN} bytes, RS256)."
  echo "- Credentials come from the Entra-shaped OpenID provider of the tests (\`tests/support/oidc/entra_provider.mjs\`), token lifetimes of a day so that nothing is refreshed during a run. Before every \`vigie-session\` run (outside the measured CPU), curl signs in afresh through \`/oauth2/start\` → provider → \`/oauth2/callback\`: Vigie re-seals a session cookie at most once a minute, and a fresh cookie keeps a run under ${DURATION}s clear of that point, as a browser that takes each re-issued cookie would be. The service principal's token is fetched once; Vigie verifies it on the first request and then serves it from the worker's verified-token cache. Before the rounds, each credential is checked to answer 200 with the upstream's body and no \`Set-Cookie\`, and each authenticated route to answer 401 without it; a non-2xx answer in an authenticated run stops the benchmark."
  echo "- Pinning: $PINNING. The proxy under test and the upstream share their CPU."
  echo "- Load: \`wrk -t1 -c$CONNECTIONS -d${DURATION}s --latency [-H CREDENTIAL] http://127.0.0.1:PORT/PATH\`; one ${WARMUP}s warm-up per contestant first (not counted)."
  echo "- $ROUNDS interleaved rounds; in each round every contestant runs once and the order rotates from round to round."
  echo "- Every figure is the median over the rounds. CPU is utime+stime of the serving processes during a round, from \`/proc/PID/stat\` (nginx: master + worker; Vigie: the whole process). CPU per request is that CPU divided by wrk's request count."
  echo "- Peak RSS is \`VmHWM\` after the rounds (nginx: the worker; the three Vigie rows are the same process). Idle RSS is \`VmRSS\` right after start-up and one request."
  echo "- Idle connections: \`tests/bench/idle_conns.py\` opens $IDLE_CONNS TCP connections to the proxy, sends one keep-alive GET on each and reads the response, keeps them all open while \`VmRSS\` is read (nginx: the worker), then closes them. nginx: \`worker_rlimit_nofile $NOFILE\`, \`worker_connections $WORKER_CONNECTIONS\`; Vigie: \`limits.max_connections: 20000\`."
  echo "- Parameters: ROUNDS=$ROUNDS DURATION=${DURATION}s CONNECTIONS=$CONNECTIONS WARMUP=${WARMUP}s AUTH_ROUNDS=$AUTH_ROUNDS AUTH_DURATION=${AUTH_DURATION}s IDLE_CONNS=$IDLE_CONNS"
  if [[ -n $COOKIE_AGE_NOTE ]]; then echo "- **Note:** $COOKIE_AGE_NOTE."; fi
  echo
  echo "## Throughput and latency (medians)"
  echo
  md_contestant_table
  echo
  echo "| vigie/nginx | throughput | p99 latency | CPU per round | CPU per request |"
  echo "|---|---:|---:|---:|---:|"
  echo "| ratio | $R_RPS | $R_P99 | $R_CPU | $R_CPU_US |"
  echo
  echo "## Authenticated requests"
  echo
  echo "Issue 3's target: authenticated throughput at least ${AUTH_TARGET}× Vigie's unauthenticated throughput."
  echo
  echo "The verdict comes from $AUTH_ROUNDS paired rounds after the rounds above: in each, \`vigie\`, \`vigie-session\` and \`vigie-bearer\` run ${AUTH_DURATION}s each, back to back (the order rotates; same pinning, connections and sign-in as above), and each round gives one ratio per authenticated contestant. The machine's speed drifts (the \`vigie\` rows above differ by up to a fifth between rounds); runs seconds apart see nearly the same machine, so the median of the paired ratios is steadier than a ratio of medians taken a minute apart, which is shown for reference."
  echo
  echo "| ratio | throughput, paired median | paired quartiles | target: throughput ≥ ${AUTH_TARGET} | throughput, ratio of the medians above | CPU per request, medians above |"
  echo "|---|---:|---:|---|---:|---:|"
  echo "| vigie-session/vigie | $R_SESSION_RPS | $SESSION_Q1–$SESSION_Q3 | $SESSION_VERDICT | $M_SESSION_RPS | $R_SESSION_CPU_US |"
  echo "| vigie-bearer/vigie | $R_BEARER_RPS | $BEARER_Q1–$BEARER_Q3 | $BEARER_VERDICT | $M_BEARER_RPS | $R_BEARER_CPU_US |"
  echo
  echo "- \`vigie-session/vigie\` is what a signed-in browser's request costs over a public one: finding the session cookie's chunks in a ${#SESSION_COOKIE}-byte \`Cookie\` header, a lookup of the cookie in the worker's session cache (the sealed session is opened with AES-256-GCM and decoded only on a miss), checking its lifetimes, building the identity and the identity headers, and removing Vigie's cookies from the \`Cookie\` header sent upstream."
  echo "- \`vigie-bearer/vigie\` is what a service principal's request costs once its token is verified: a lookup of the ${#BEARER_TOKEN}-byte token in the worker's verified-token cache (a hash of its last 32 bytes, a comparison of the whole), the issuer, audience and role checks, the identity headers, and the token removed from the request sent upstream. The signature is checked once per token and worker, not per request."
  echo "- Both also carry a larger request (the credential), which Vigie parses and forwards. The throughput ratio includes the upstream's share of the server CPU, the same for the three routes, so it understates Vigie's own slowdown; the CPU-per-request ratio is Vigie's alone."
  echo
  echo "## Memory"
  echo
  echo "| | nginx | vigie |"
  echo "|---|---:|---:|"
  for row in "${MEM_ROWS[@]}"; do
    IFS='|' read -r a b d <<<"$row"
    echo "| $a | $b | $d |"
  done
  echo
  echo "Idle client reports (\`idle_conns.py\`): nginx \`${HELD_SUMMARY[nginx]}\`, vigie \`${HELD_SUMMARY[vigie]}\`."
  echo
  echo "## Every round"
  echo
  md_rounds
  echo
  echo "## Every paired round"
  echo
  echo "| round | vigie req/s | vigie-session req/s | vigie-bearer req/s | session/vigie | bearer/vigie |"
  echo "|---:|---:|---:|---:|---:|---:|"
  awk '{ rps[$1 " " $2] = $3; if ($1 > n) n = $1 }
    END { for (r = 1; r <= n; r++) { v = rps[r " vigie"]; s = rps[r " vigie-session"]; b = rps[r " vigie-bearer"]
      printf "| %d | %.0f | %.0f | %.0f | %.2f | %.2f |\n", r, v, s, b, (v > 0 ? s / v : 0), (v > 0 ? b / v : 0) } }' "$PAIRED"
} >"$BENCH_DOC"
log "wrote $BENCH_DOC"

echo
echo "vigie-session/vigie throughput ratio: $R_SESSION_RPS"
echo "vigie-bearer/vigie throughput ratio: $R_BEARER_RPS"
echo "vigie/nginx throughput ratio: $R_RPS"
