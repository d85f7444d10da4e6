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
# round) and the tables report medians over rounds. Results are printed and written to
# docs/benchmarks.md; the last three lines on stdout are "vigie-session/vigie throughput ratio: X.XX",
# "vigie-bearer/vigie throughput ratio: X.XX" and "vigie/nginx throughput ratio: X.XX".
#
# Environment: ROUNDS (5), DURATION seconds (10, below 60: see above), CONNECTIONS (64), WARMUP
# seconds per contestant before the rounds (2), IDLE_CONNS (10000), BENCH_DOC (docs/benchmarks.md),
# BENCH_KEEP=1 keeps the temporary directory (configs, logs, raw wrk output) for inspection.
# PERF_CONTESTANT=NAME records the serving process of that contestant with `perf record` during its
# first round and prints the top of the profile (the figures of that round include perf's overhead).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export PATH="$PATH:/usr/sbin:/sbin"
export LC_ALL=C

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10}
DURATION=${DURATION%s}
CONNECTIONS=${CONNECTIONS:-64}
WARMUP=${WARMUP:-2}
WARMUP=${WARMUP%s}
IDLE_CONNS=${IDLE_CONNS:-10000}
BENCH_DOC=${BENCH_DOC:-$ROOT/docs/benchmarks.md}
BENCH_KEEP=${BENCH_KEEP:-0}
PERF_CONTESTANT=${PERF_CONTESTANT:-}
CONTESTANTS=(upstream nginx vigie vigie-session vigie-bearer)
AUTH_TARGET=0.90  # the issue's target: authenticated throughput >= 0.9x Vigie's unauthenticated throughput

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }

for v in ROUNDS DURATION CONNECTIONS WARMUP IDLE_CONNS; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number, got '${!v}'"
done
((ROUNDS >= 1 && DURATION >= 1 && CONNECTIONS >= 1)) || die "ROUNDS, DURATION and CONNECTIONS must be >= 1"
# Vigie re-seals a session cookie that is a minute old or more on every request that carries it; a
# browser takes the new cookie, wrk cannot. Each vigie-session run starts with a fresh sign-in, so
# runs shorter than a minute measure the steady state (no re-issue).
COOKIE_AGE_NOTE=""
if ((DURATION >= 60 || WARMUP >= 60)); then
  COOKIE_AGE_NOTE="DURATION or WARMUP is 60 s or more: after its first minute, every vigie-session request re-seals the cookie (wrk cannot take the re-issued one), which a browser would do once a minute"
  log "WARNING: $COOKIE_AGE_NOTE"
fi

# ---------------------------------------------------------------------------------------------------
# Tools (installed with apt-get when missing)

need() {  # command package
  command -v "$1" >/dev/null 2>&1 && return 0
  log "installing $2 (for $1)"
  # RUNLEVEL=1: keep the nginx package's post-install script from starting the system nginx.
  DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y "$2" >&2 ||
    { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y "$2" >&2; } ||
    die "cannot install $2"
  command -v "$1" >/dev/null 2>&1 || die "$1 still missing after installing $2"
}
need nginx nginx-light
need wrk wrk
need taskset util-linux
need python3 python3
need curl curl
need pgrep procps
need cmake cmake
need ninja ninja-build
need openssl openssl
# Node.js and the OpenID provider fixture's packages (tests/support/oidc/node_modules).
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
vigie_node_deps >&2 || die "cannot install Node.js or the OpenID provider's packages"

# ---------------------------------------------------------------------------------------------------
# Build

log "building Vigie (Release) in $ROOT/build-release"
if ! { cmake -S "$ROOT" -B "$ROOT/build-release" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVIGIE_TESTS=OFF >&2 &&
  ninja -C "$ROOT/build-release" vigie >&2; }; then
  die "build failed"
fi
VIGIE="$ROOT/build-release/vigie"
# What was built (read now: the tree may change while the rounds run).
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -z $(git -C "$ROOT" status --porcelain -- proxy CMakeLists.txt 2>/dev/null) ]] || COMMIT+=" (with uncommitted changes)"
[[ -x $VIGIE ]] || die "$VIGIE not found after the build"

# ---------------------------------------------------------------------------------------------------
# Machine: CPUs, pinning, file descriptor limit

mapfile -t CPUS < <(python3 -c 'import os; print("\n".join(map(str, sorted(os.sched_getaffinity(0)))))')
if ((${#CPUS[@]} >= 2)); then
  LOAD_CPU=${CPUS[0]}
  SERVER_CPU=${CPUS[1]}
  PIN_SRV=(taskset -c "$SERVER_CPU")
  PIN_LOAD=(taskset -c "$LOAD_CPU")
  PINNING="every server (upstream nginx, proxy nginx, vigie, and the OpenID provider, idle during the rounds) on CPU $SERVER_CPU; wrk, curl and the idle-connection client on CPU $LOAD_CPU"
else
  PIN_SRV=()
  PIN_LOAD=()
  PINNING="none: only one CPU is available, so servers and wrk share it"
  log "only one CPU available: skipping CPU pinning"
fi

# Raise the open-file limit before starting any server so they all inherit it. Without
# CAP_SYS_RESOURCE the hard limit cannot be raised: fall back to it.
if ! ulimit -n 65536 2>/dev/null; then
  hard=$(ulimit -Hn)
  if [[ $hard == unlimited ]]; then ulimit -Sn 65536; else ulimit -Sn "$hard"; fi
  log "cannot raise the open-file limit to 65536; using $(ulimit -n) (hard limit)"
fi
NOFILE=$(ulimit -n)
[[ $NOFILE == unlimited ]] && NOFILE=65536
WORKER_CONNECTIONS=$((NOFILE < 20000 ? NOFILE : 20000))
if ((NOFILE < IDLE_CONNS + 200)); then
  log "WARNING: open-file limit $NOFILE is too low for IDLE_CONNS=$IDLE_CONNS; expect failures"
fi
CLK_TCK=$(getconf CLK_TCK)
LOADAVG_START=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------------
# Processes and clean-up

T=$(mktemp -d "${TMPDIR:-/tmp}/vigie-bench.XXXXXX")
STARTED=()      # pids of every server we started, in start order
IDLE_PID=""     # the idle-connection client, while it runs

stop_pid() {  # pid: SIGTERM, wait up to 10 s, then SIGKILL (nginx workers included); warns of a crash
  local pid=$1 kids i name st=0
  kids=$(pgrep -P "$pid" 2>/dev/null || true)
  name=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-60)
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "WARNING: pid $pid ($name) ignored SIGTERM for 10 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || st=$?
  # 143 is death by the SIGTERM sent above; any other signal is a crash while stopping.
  if ((st > 128 && st != 143 && st != 137)); then
    log "WARNING: pid $pid ($name) died of signal $((st - 128)) while stopping: a crash at shutdown (the figures above stand)"
  fi
  for i in $kids; do kill -KILL "$i" 2>/dev/null || true; done
}

cleanup() {
  local rc=$? i
  trap - EXIT INT TERM
  if [[ -n $IDLE_PID ]]; then kill -KILL "$IDLE_PID" 2>/dev/null || true; wait "$IDLE_PID" 2>/dev/null || true; fi
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do stop_pid "${STARTED[i]}"; done
  if [[ $BENCH_KEEP == 1 ]]; then log "kept $T"; else rm -rf "$T"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

render() {  # template NAME VALUE ... : prints the template with every @NAME@ replaced
  local text
  text=$(<"$1")
  shift
  while (($#)); do
    text=${text//"@$1@"/"$2"}
    shift 2
  done
  if [[ $text =~ @[A-Z_]+@ ]]; then die "unfilled placeholder ${BASH_REMATCH[0]}"; fi
  printf '%s\n' "$text"
}

status_kib() {  # pid field (VmRSS, VmHWM): value in KiB
  awk -v k="$2:" '$1 == k { print $2; found = 1 } END { if (!found) print 0 }' "/proc/$1/status"
}

cpu_ticks() {  # pid...: utime + stime summed over the processes (all their threads), in clock ticks
  local total=0 pid stat f
  for pid in "$@"; do
    stat=$(<"/proc/$pid/stat") || continue
    read -r -a f <<<"${stat##*) }"  # f[0] is field 3 (state): utime is field 14, stime field 15
    total=$((total + f[11] + f[12]))
  done
  echo "$total"
}

tail_log() { if [[ -f $1 ]]; then tail -n 20 "$1" | sed 's/^/    /' >&2; fi; }

wait_http() {  # port pid logfile: bounded poll until GET / answers 200
  local i
  for ((i = 0; i < 200; i++)); do
    curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$1/" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { tail_log "$3"; die "server pid $2 exited during start-up"; }
    sleep 0.05
  done
  tail_log "$3"
  die "nothing answered on 127.0.0.1:$1 after 10 s"
}

# ---------------------------------------------------------------------------------------------------
# Servers

# ~600 bytes of JSON; no single quote or '$' (it sits inside an nginx single-quoted string).
BODY='{"id":"7f3c9a2e-5b1d-4e8f-9a6b-2c4d8e0f1a3b","object":"order","status":"confirmed","created_at":"2024-05-14T09:21:37Z","updated_at":"2024-05-14T09:22:05Z","customer":{"id":"cus_48213","name":"Ada Lovelace","email":"ada@example.org","tier":"gold"},"currency":"EUR","items":[{"sku":"BK-1001","title":"Analytical Engine Notes","qty":1,"unit_price":4200},{"sku":"PN-2040","title":"Fountain pen","qty":2,"unit_price":1850},{"sku":"NB-0007","title":"Notebook, squared","qty":3,"unit_price":450}],"subtotal":9250,"shipping":590,"tax":1967,"total":11807,"tags":["priority","gift"],"notes":"Leave at reception"}'

TEMP_PATHS="    client_body_temp_path @PREFIX@/client_body;
    proxy_temp_path @PREFIX@/proxy;"
nginx_v=$(nginx -V 2>&1)
for m in fastcgi uwsgi scgi; do
  [[ $nginx_v == *"--without-http_${m}_module"* ]] || TEMP_PATHS+=$'\n'"    ${m}_temp_path @PREFIX@/$m;"
done
USER_LINE=""
((EUID == 0)) && USER_LINE="user root;"  # keep workers able to use the root-owned temporary prefix

NGINX_PID=""
start_nginx() {  # name template port [upstream_port]: sets NGINX_PID (the master)
  local tpl=$2 port=$3 up=${4:-0} prefix="$T/$1" temp
  mkdir -p "$prefix"
  temp=${TEMP_PATHS//@PREFIX@/$prefix}
  render "$tpl" USER_LINE "$USER_LINE" PREFIX "$prefix" NOFILE "$NOFILE" \
    WORKER_CONNECTIONS "$WORKER_CONNECTIONS" TEMP_PATHS "$temp" PORT "$port" UPSTREAM_PORT "$up" \
    BODY "$BODY" >"$prefix/nginx.conf"
  "${PIN_SRV[@]}" nginx -p "$prefix/" -c "$prefix/nginx.conf" -e "$prefix/error.log" \
    </dev/null >"$prefix/stdout.log" 2>&1 &
  NGINX_PID=$!
  STARTED+=("$NGINX_PID")
  wait_http "$port" "$NGINX_PID" "$prefix/error.log"
}

nginx_worker() {  # master pid: the (single) worker's pid
  local w
  w=$(pgrep -P "$1" | head -n 1)
  [[ -n $w ]] || die "nginx master $1 has no worker"
  echo "$w"
}

UPSTREAM_PORT=$(free_port)
start_nginx upstream "$HERE/nginx-upstream.conf.in" "$UPSTREAM_PORT"
UPSTREAM_MASTER=$NGINX_PID
log "upstream nginx: 127.0.0.1:$UPSTREAM_PORT (master $UPSTREAM_MASTER)"

NGINX_PORT=$(free_port)
start_nginx proxy "$HERE/nginx-proxy.conf.in" "$NGINX_PORT" "$UPSTREAM_PORT"
NGINX_MASTER=$NGINX_PID
log "nginx proxy:    127.0.0.1:$NGINX_PORT (master $NGINX_MASTER)"

# The OpenID provider, for Vigie's sign-ins and the service principal's token. Vigie's port is
# picked first: the provider must know the callback URL before Vigie starts.
VIGIE_PORT=$(free_port)
TENANT=7c0d5a2e-3b1f-4e8a-9c64-5d2b8e1f0a93
CLIENT_ID=vigie-bench
DAEMON_ID=bench-daemon
BEARER_AUDIENCE=api://vigie-bench
BEARER_ROLE=Bench.Read
CLIENT_SECRET=$(openssl rand -hex 16)
DAEMON_SECRET=$(openssl rand -hex 16)
render "$HERE/oidc.json.in" TENANT "$TENANT" CLIENT_ID "$CLIENT_ID" CLIENT_SECRET "$CLIENT_SECRET" \
  VIGIE_PORT "$VIGIE_PORT" DAEMON_ID "$DAEMON_ID" DAEMON_SECRET "$DAEMON_SECRET" BEARER_ROLE "$BEARER_ROLE" >"$T/oidc.json"
mkfifo "$T/idp.in"
"${PIN_SRV[@]}" node "$ROOT/tests/support/oidc/entra_provider.mjs" --config "$T/oidc.json" \
  <"$T/idp.in" >"$T/idp.ready" 2>"$T/idp.log" &
IDP_PID=$!
STARTED+=("$IDP_PID")
# shellcheck disable=SC2034  # IDP_FD is never written to: holding it open is the point
exec {IDP_FD}>"$T/idp.in"  # the provider exits when its stdin closes; held open until this script ends
idp_line=""
for ((i = 0; i < 300; i++)); do
  idp_line=$(head -n 1 "$T/idp.ready" 2>/dev/null || true)
  [[ $idp_line =~ \"issuer\":\"([^\"]+)\" ]] && break
  kill -0 "$IDP_PID" 2>/dev/null || { tail_log "$T/idp.log"; die "the OpenID provider exited during start-up"; }
  sleep 0.1
done
[[ $idp_line =~ \"issuer\":\"([^\"]+)\" ]] || { tail_log "$T/idp.log"; die "the OpenID provider did not report ready within 30 s"; }
ISSUER=${BASH_REMATCH[1]}
log "OpenID provider: $ISSUER (pid $IDP_PID)"

render "$HERE/vigie.yaml.in" UPSTREAM_PORT "$UPSTREAM_PORT" VIGIE_PORT "$VIGIE_PORT" ISSUER "$ISSUER" \
  CLIENT_ID "$CLIENT_ID" BEARER_AUDIENCE "$BEARER_AUDIENCE" BEARER_ROLE "$BEARER_ROLE" >"$T/vigie.yaml"
mkfifo "$T/ready"
VIGIE_BENCH_CLIENT_SECRET=$CLIENT_SECRET VIGIE_BENCH_SESSION_KEYS=$(openssl rand -base64 32) \
  "${PIN_SRV[@]}" "$VIGIE" run --config "$T/vigie.yaml" --ready-fd 3 3>"$T/ready" </dev/null >"$T/vigie.log" 2>&1 &
VIGIE_PID=$!
STARTED+=("$VIGIE_PID")
ready_line=$(timeout 30 head -n 1 "$T/ready") || { tail_log "$T/vigie.log"; die "vigie did not report ready within 30 s"; }
[[ $ready_line =~ \"http\":([0-9]+) ]] || { tail_log "$T/vigie.log"; die "vigie did not start (ready line: '$ready_line')"; }
((BASH_REMATCH[1] == VIGIE_PORT)) || die "vigie listens on ${BASH_REMATCH[1]}, not on the configured $VIGIE_PORT"
log "vigie:          127.0.0.1:$VIGIE_PORT (pid $VIGIE_PID, ready: $ready_line)"

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
BEARER_TOKEN=""
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

# The service principal's token (client credentials), valid a day: the same one for the whole run.
get_token() {
  local json
  json=$(curl -sS --max-time 10 -d grant_type=client_credentials -d "client_id=$DAEMON_ID" \
    -d "client_secret=$DAEMON_SECRET" -d "scope=$BEARER_AUDIENCE/.default" "${ISSUER%/v2.0}/oauth2/v2.0/token") ||
    die "the provider's token endpoint did not answer"
  BEARER_TOKEN=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["access_token"])' "$json" 2>/dev/null) ||
    die "no access token from the provider: ${json:0:300}"
}

expect() {  # what status contestant [with-credential]: one GET answers status (and the upstream's body on 200, with no Set-Cookie)
  local what=$1 want=$2 c=$3 hdr=() code
  [[ ${4:-} == with-credential ]] && header_args "$c" hdr
  code=$(curl -sS --max-time 5 -D "$T/expect.headers" -o "$T/expect.body" -w '%{http_code}' "${hdr[@]}" "$(url_of "$c")") ||
    code=000
  [[ $code == "$want" ]] || { head -c 300 "$T/expect.body" >&2; tail_log "$T/vigie.log"; die "$what: HTTP $code, expected $want"; }
  [[ $want != 200 ]] && return 0
  [[ $(<"$T/expect.body") == "$BODY" ]] || die "$what: unexpected body ($(wc -c <"$T/expect.body") bytes)"
  if grep -qi '^set-cookie:' "$T/expect.headers"; then die "$what: the answer sets a cookie, so wrk would not measure the steady state"; fi
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

NGINX_WORKER=$(nginx_worker "$NGINX_MASTER")
UPSTREAM_WORKER=$(nginx_worker "$UPSTREAM_MASTER")
IDLE_RSS_VIGIE=$(status_kib "$VIGIE_PID" VmRSS)
IDLE_RSS_NGINX=$(status_kib "$NGINX_WORKER" VmRSS)
log "idle RSS: vigie $IDLE_RSS_VIGIE KiB, nginx worker $IDLE_RSS_NGINX KiB"

port_of() { case $1 in upstream) echo "$UPSTREAM_PORT" ;; nginx) echo "$NGINX_PORT" ;; vigie*) echo "$VIGIE_PORT" ;; esac; }
pids_of() {  # processes whose CPU is charged to the contestant: master + workers for nginx
  case $1 in
    upstream) echo "$UPSTREAM_MASTER" $(pgrep -P "$UPSTREAM_MASTER") ;;
    nginx) echo "$NGINX_MASTER" $(pgrep -P "$NGINX_MASTER") ;;
    vigie*) echo "$VIGIE_PID" ;;
  esac
}
rss_pid_of() { case $1 in upstream) echo "$UPSTREAM_WORKER" ;; nginx) echo "$NGINX_WORKER" ;; vigie*) echo "$VIGIE_PID" ;; esac; }

check_alive() {
  kill -0 "$VIGIE_PID" 2>/dev/null || { tail_log "$T/vigie.log"; die "vigie (pid $VIGIE_PID) died"; }
  kill -0 "$NGINX_WORKER" 2>/dev/null || { tail_log "$T/proxy/error.log"; die "nginx proxy worker died"; }
  kill -0 "$UPSTREAM_WORKER" 2>/dev/null || { tail_log "$T/upstream/error.log"; die "upstream worker died"; }
  kill -0 "$IDP_PID" 2>/dev/null || { tail_log "$T/idp.log"; die "the OpenID provider (pid $IDP_PID) died"; }
}

# ---------------------------------------------------------------------------------------------------
# Throughput and latency rounds

run_wrk() {  # contestant seconds outfile
  local hdr=()
  header_args "$1" hdr
  "${PIN_LOAD[@]}" wrk "${hdr[@]}" -t1 -c"$CONNECTIONS" -d"${2}s" --latency "$(url_of "$1")" >"$3" 2>&1 || true
}

parse_wrk() {  # wrk output file: "req/s p50_ms p99_ms requests socket_errors non2xx"
  awk '
    function ms(v) {
      if (v ~ /us$/) return v / 1000
      if (v ~ /ms$/) return v + 0
      if (v ~ /s$/) return v * 1000
      if (v ~ /m$/) return v * 60000
      if (v ~ /h$/) return v * 3600000
      return v + 0
    }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    / requests in / { req = $1 }
    /^ +Socket errors:/ { gsub(",", ""); sock = $4 + $6 + $8 + $10 }
    /^ +Non-2xx or 3xx responses:/ { non2xx = $NF }
    /^Requests\/sec:/ { rps = $2 }
    END {
      if (rps == "" || p99 == "") exit 1
      printf "%s %s %s %d %d %d\n", rps, p50, p99, req, sock, non2xx
    }' "$1"
}

RESULTS="$T/results.txt"  # contestant round rps p50 p99 cpu_s requests socket_errors non2xx
: >"$RESULTS"

if ((WARMUP > 0)); then
  for c in "${CONTESTANTS[@]}"; do
    log "warm-up: $c ${WARMUP}s"
    if [[ $c == vigie-session ]]; then sign_in; fi
    run_wrk "$c" "$WARMUP" "$T/wrk-warmup-$c.txt"
    if is_auth "$c"; then
      parsed=$(parse_wrk "$T/wrk-warmup-$c.txt") || { cat "$T/wrk-warmup-$c.txt" >&2; die "cannot parse wrk output for the $c warm-up"; }
      read -r _ _ _ _ _ non2xx <<<"$parsed"
      ((non2xx == 0)) || die "$c warm-up: $non2xx answers were not 2xx/3xx, so its credential does not work under load"
    fi
  done
  check_alive
fi

n=${#CONTESTANTS[@]}
for ((r = 1; r <= ROUNDS; r++)); do
  for ((k = 0; k < n; k++)); do
    c=${CONTESTANTS[(k + r - 1) % n]}  # rotate the order every round
    out="$T/wrk-$c-$r.txt"
    if [[ $c == vigie-session ]]; then sign_in; fi  # a fresh cookie, before any CPU is counted
    read -r -a pids <<<"$(pids_of "$c")"
    before=$(cpu_ticks "${pids[@]}")
    perf_pid=""
    if [[ $c == "$PERF_CONTESTANT" && $r == 1 ]]; then
      perf record -F 999 -g -p "${pids[0]}" -o "$T/perf-$c.data" -- sleep "$DURATION" >/dev/null 2>&1 &
      perf_pid=$!
    fi
    run_wrk "$c" "$DURATION" "$out"
    after=$(cpu_ticks "${pids[@]}")
    if [[ -n $perf_pid ]]; then
      wait "$perf_pid" || true
      perf report -i "$T/perf-$c.data" --no-children --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -40 >&2 || true
    fi
    check_alive
    parsed=$(parse_wrk "$out") || { cat "$out" >&2; die "cannot parse wrk output for $c round $r"; }
    cpu=$(awk -v a="$after" -v b="$before" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", (a - b) / t }')
    echo "$c $r $parsed $cpu" | awk '{ print $1, $2, $3, $4, $5, $9, $6, $7, $8 }' >>"$RESULTS"
    read -r rps p50 p99 _ sock non2xx <<<"$parsed"
    log "round $r/$ROUNDS $c: $rps req/s, p50 ${p50} ms, p99 ${p99} ms, cpu ${cpu} s, socket errors $sock, non-2xx $non2xx"
    if ((sock > 0 || non2xx > 0)); then
      log "WARNING: $c round $r had errors; wrk said:"
      grep -E 'Socket errors|Non-2xx' "$out" | sed 's/^/    /' >&2
    fi
    # A refused credential answers 401 fast: the figures would measure refusals, not authentication.
    if is_auth "$c" && ((non2xx > 0)); then die "$c round $r: $non2xx answers were not 2xx/3xx, so its credential stopped working"; fi
  done
done

declare -A PEAK_KIB
for c in "${CONTESTANTS[@]}"; do PEAK_KIB[$c]=$(status_kib "$(rss_pid_of "$c")" VmHWM); done

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

median() {  # contestant column-number (1-based in $RESULTS)
  awk -v n="$1" -v c="$2" '$1 == n { print $c }' "$RESULTS" | sort -g |
    awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
total() { awk -v n="$1" -v c="$2" '$1 == n { s += $c } END { print s + 0 }' "$RESULTS"; }
fmt() { awk -v v="$2" "BEGIN { printf \"$1\", v }"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

declare -A RPS P50 P99 CPU CPU_US ERRS PEAK
for c in "${CONTESTANTS[@]}"; do
  RPS[$c]=$(median "$c" 3)
  P50[$c]=$(median "$c" 4)
  P99[$c]=$(median "$c" 5)
  CPU[$c]=$(median "$c" 6)
  # CPU per request: median over rounds of cpu_s / requests, in microseconds
  CPU_US[$c]=$(awk -v n="$c" '$1 == n && $7 > 0 { print $6 / $7 * 1e6 }' "$RESULTS" | sort -g |
    awk '{ a[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
  ERRS[$c]="$(total "$c" 8)/$(total "$c" 9)"
  PEAK[$c]=$(mib "${PEAK_KIB[$c]}")
done

R_RPS=$(ratio "${RPS[vigie]}" "${RPS[nginx]}")
R_P99=$(ratio "${P99[vigie]}" "${P99[nginx]}")
R_CPU=$(ratio "${CPU[vigie]}" "${CPU[nginx]}")
R_CPU_US=$(ratio "${CPU_US[vigie]}" "${CPU_US[nginx]}")
# Authenticated over unauthenticated, the same Vigie process.
R_SESSION_RPS=$(ratio "${RPS[vigie-session]}" "${RPS[vigie]}")
R_SESSION_CPU_US=$(ratio "${CPU_US[vigie-session]}" "${CPU_US[vigie]}")
R_BEARER_RPS=$(ratio "${RPS[vigie-bearer]}" "${RPS[vigie]}")
R_BEARER_CPU_US=$(ratio "${CPU_US[vigie-bearer]}" "${CPU_US[vigie]}")
verdict() { awk -v r="$1" -v t="$AUTH_TARGET" 'BEGIN { print (r != "n/a" && r + 0 >= t) ? "met" : "not met" }'; }
SESSION_VERDICT=$(verdict "$R_SESSION_RPS")
BEARER_VERDICT=$(verdict "$R_BEARER_RPS")
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

VIGIE_LOG_ISSUES=$(grep -ciE 'error|warn|critical' "$T/vigie.log" || true)
NGINX_LOG_ISSUES=$(cat "$T/proxy/error.log" "$T/upstream/error.log" 2>/dev/null | grep -cE '\[(error|crit|alert|emerg)\]' || true)

# stdout table
{
  echo
  echo "Vigie vs nginx: $ROUNDS interleaved rounds x ${DURATION}s, wrk -t1 -c$CONNECTIONS, medians; pinning: $PINNING"
  printf '%-13s %12s %9s %9s %12s %11s %14s %16s\n' contestant 'req/s' 'p50 ms' 'p99 ms' 'CPU s/round' 'CPU us/req' 'peak RSS MiB' 'sockerr/non2xx'
  for c in "${CONTESTANTS[@]}"; do
    printf '%-13s %12s %9s %9s %12s %11s %14s %16s\n' "$c" "$(fmt %.0f "${RPS[$c]}")" "$(fmt %.3f "${P50[$c]}")" \
      "$(fmt %.3f "${P99[$c]}")" "$(fmt %.2f "${CPU[$c]}")" "$(fmt %.1f "${CPU_US[$c]}")" "${PEAK[$c]}" "${ERRS[$c]}"
  done
  echo
  echo "vigie/nginx ratios: throughput $R_RPS, p99 latency $R_P99, CPU per round $R_CPU, CPU per request $R_CPU_US"
  echo "vigie-session/vigie ratios: throughput $R_SESSION_RPS, CPU per request $R_SESSION_CPU_US (target: throughput >= $AUTH_TARGET: $SESSION_VERDICT)"
  echo "vigie-bearer/vigie ratios: throughput $R_BEARER_RPS, CPU per request $R_BEARER_CPU_US (target: throughput >= $AUTH_TARGET: $BEARER_VERDICT)"
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
NGINX_VERSION=$(nginx -v 2>&1 | sed 's/^nginx version: //')
WRK_VERSION=$(wrk --version 2>&1 | head -n 1 | awk '{ print $1, $2 }' || true)
VIGIE_VERSION=$("$VIGIE" version 2>/dev/null || echo unknown)
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mkdir -p "$(dirname "$BENCH_DOC")"
{
  echo "# Benchmarks: Vigie vs nginx, and authenticated requests"
  echo
  echo "Generated by \`tests/bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M:%S UTC'). Re-run it to refresh this page."
  echo
  echo "## Machine and software"
  echo
  echo "- CPUs: $(nproc) (\`nproc\`), ${CPU_MODEL:-unknown model}; kernel $(uname -r)"
  echo "- load average before the run: $LOADAVG_START"
  echo "- Vigie: $VIGIE_VERSION, commit $COMMIT, CMake Release build (\`build-release/vigie\`)"
  echo "- nginx $NGINX_VERSION; $WRK_VERSION"
  echo "- open-file limit (\`ulimit -n\`): $NOFILE"
  echo
  echo "## Method"
  echo
  echo "- Contestants, all on 127.0.0.1 with one worker each:"
  echo "  - \`upstream\`: wrk straight to the upstream, an nginx returning a fixed ${#BODY}-byte JSON body (\`return 200\`); the floor."
  echo "  - \`nginx\`: nginx as a keep-alive reverse proxy (\`keepalive 64\`, \`proxy_http_version 1.1\`, \`Connection \"\"\`, no access log)."
  echo "  - \`vigie\`: Vigie with \`workers: 1\`, access log off, a public prefix route (\`auth: public\`) to the same upstream, \`GET /\`. Vigie has an \`identity\` section (for the next two), so even public requests have client identity headers and Vigie's own cookies removed."
  echo "  - \`vigie-session\`: the same Vigie process, a route with \`auth: session\` (\`GET /session/\`); wrk sends \`Cookie:\` with a real session ($COOKIE_CHUNKS chunk(s), ${#SESSION_COOKIE} bytes: the user's identity, two groups, one app role, and the ID, access and refresh tokens, as for Entra ID)."
  echo "  - \`vigie-bearer\`: the same Vigie process, a route with \`auth: bearer\` requiring an audience and an app role (\`GET /bearer/\`); wrk sends \`Authorization: Bearer\` with a service principal's client-credentials JWT (${#BEARER_TOKEN} bytes, RS256)."
  echo "- Credentials come from the Entra-shaped OpenID provider of the tests (\`tests/support/oidc/entra_provider.mjs\`), token lifetimes of a day so that nothing is refreshed during a run. Before every \`vigie-session\` run (outside the measured CPU), curl signs in afresh through \`/oauth2/start\` → provider → \`/oauth2/callback\`: Vigie re-seals a session cookie at most once a minute, and a fresh cookie keeps a run under ${DURATION}s clear of that point, as a browser that takes each re-issued cookie would be. The service principal's token is fetched once; Vigie verifies it on the first request and then serves it from the worker's verified-token cache. Before the rounds, each credential is checked to answer 200 with the upstream's body and no \`Set-Cookie\`, and each authenticated route to answer 401 without it; a non-2xx answer in an authenticated run stops the benchmark."
  echo "- Pinning: $PINNING. The proxy under test and the upstream share their CPU."
  echo "- Load: \`wrk -t1 -c$CONNECTIONS -d${DURATION}s --latency [-H CREDENTIAL] http://127.0.0.1:PORT/PATH\`; one ${WARMUP}s warm-up per contestant first (not counted)."
  echo "- $ROUNDS interleaved rounds; in each round every contestant runs once and the order rotates from round to round."
  echo "- Every figure is the median over the rounds. CPU is utime+stime of the serving processes during a round, from \`/proc/PID/stat\` (nginx: master + worker; Vigie: the whole process). CPU per request is that CPU divided by wrk's request count."
  echo "- Peak RSS is \`VmHWM\` after the rounds (nginx: the worker; the three Vigie rows are the same process). Idle RSS is \`VmRSS\` right after start-up and one request."
  echo "- Idle connections: \`tests/bench/idle_conns.py\` opens $IDLE_CONNS TCP connections to the proxy, sends one keep-alive GET on each and reads the response, keeps them all open while \`VmRSS\` is read (nginx: the worker), then closes them. nginx: \`worker_rlimit_nofile $NOFILE\`, \`worker_connections $WORKER_CONNECTIONS\`; Vigie: \`limits.max_connections: 20000\`."
  echo "- Parameters: ROUNDS=$ROUNDS DURATION=${DURATION}s CONNECTIONS=$CONNECTIONS WARMUP=${WARMUP}s IDLE_CONNS=$IDLE_CONNS"
  if [[ -n $COOKIE_AGE_NOTE ]]; then echo "- **Note:** $COOKIE_AGE_NOTE."; fi
  echo
  echo "## Throughput and latency (medians)"
  echo
  echo "| contestant | req/s | p50 ms | p99 ms | CPU s/round | CPU µs/req | peak RSS MiB | socket errors / non-2xx (all rounds) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  for c in "${CONTESTANTS[@]}"; do
    echo "| $c | $(fmt %.0f "${RPS[$c]}") | $(fmt %.3f "${P50[$c]}") | $(fmt %.3f "${P99[$c]}") | $(fmt %.2f "${CPU[$c]}") | $(fmt %.1f "${CPU_US[$c]}") | ${PEAK[$c]} | ${ERRS[$c]} |"
  done
  echo
  echo "| vigie/nginx | throughput | p99 latency | CPU per round | CPU per request |"
  echo "|---|---:|---:|---:|---:|"
  echo "| ratio | $R_RPS | $R_P99 | $R_CPU | $R_CPU_US |"
  echo
  echo "## Authenticated requests"
  echo
  echo "Issue 3's target: authenticated throughput at least ${AUTH_TARGET}× Vigie's unauthenticated throughput, both from the rounds above."
  echo
  echo "| ratio (medians) | throughput | CPU per request | target: throughput ≥ ${AUTH_TARGET} |"
  echo "|---|---:|---:|---|"
  echo "| vigie-session/vigie | $R_SESSION_RPS | $R_SESSION_CPU_US | $SESSION_VERDICT |"
  echo "| vigie-bearer/vigie | $R_BEARER_RPS | $R_BEARER_CPU_US | $BEARER_VERDICT |"
  echo
  echo "- \`vigie-session/vigie\` is what a signed-in browser's request costs over a public one: finding the session cookie's chunks in a ${#SESSION_COOKIE}-byte \`Cookie\` header, opening the sealed session (AES-256-GCM) and decoding it, checking its lifetimes, building the identity and the identity headers, and removing Vigie's cookies from the \`Cookie\` header sent upstream."
  echo "- \`vigie-bearer/vigie\` is what a service principal's request costs once its token is verified: a SHA-256 of the ${#BEARER_TOKEN}-byte token, a lookup in the worker's verified-token cache, the issuer, audience and role checks, and the identity headers. The signature is checked once per token and worker, not per request."
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
  echo "| round | contestant | req/s | p50 ms | p99 ms | CPU s | requests | socket errors | non-2xx |"
  echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|"
  sort -k2,2n -s "$RESULTS" | awk '{ printf "| %s | %s | %.0f | %.3f | %.3f | %.2f | %s | %s | %s |\n", $2, $1, $3, $4, $5, $6, $7, $8, $9 }'
} >"$BENCH_DOC"
log "wrote $BENCH_DOC"

echo
echo "vigie-session/vigie throughput ratio: $R_SESSION_RPS"
echo "vigie-bearer/vigie throughput ratio: $R_BEARER_RPS"
echo "vigie/nginx throughput ratio: $R_RPS"
