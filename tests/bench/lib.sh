# Shared by the benchmarks under tests/bench (run.sh: Vigie vs nginx and authenticated requests;
# audit.sh: patient-data reads with the audit trail). Sourced, not run: the caller sets HERE (this
# directory) and `set -euo pipefail`, sources this file, then calls the steps it needs in order:
#
#   check_params [NAME...]   validate ROUNDS DURATION CONNECTIONS WARMUP (and NAME...)
#   install_tools            nginx, wrk, taskset, curl... and the OpenID provider's Node.js packages
#   build_vigie              Release build in build-release; sets VIGIE, COMMIT
#   setup_machine SRV LOAD   CPU pinning (PIN_SRV, PIN_LOAD, PINNING), open-file limit, CLK_TCK
#   start_temp               the temporary directory T and the clean-up on exit
#   start_nginx_pair         upstream nginx (fixed body) + nginx reverse proxy in front of it
#   start_idp                VIGIE_PORT, then the Entra-shaped OpenID provider (ISSUER)
#   start_vigie NAME TEMPLATE PORT [PLACEHOLDER VALUE...]
#   get_token                the service principal's bearer token (BEARER_TOKEN)
#   nginx_workers            NGINX_WORKER, UPSTREAM_WORKER (after the sanity checks)
#   warm_up; run_rounds      interleaved rounds into RESULTS, with the before_run/after_run hooks
#   peak_rss; compute_medians   PEAK_KIB, then RPS P50 P99 CPU CPU_US ERRS PEAK per contestant
#   log_issues, contestant_table, md_machine, md_contestant_table, md_rounds: report pieces
#
# The caller defines CONTESTANTS, url_of CONTESTANT and header_args CONTESTANT ARRAY-NAME (the URL
# and the -H arguments wrk sends), and is_auth CONTESTANT (a non-2xx answer stops the benchmark).
# shellcheck shell=bash disable=SC2034  # the variables set here are read by the scripts that source it

ROOT=$(cd "$HERE/../.." && pwd)
export PATH="$PATH:/usr/sbin:/sbin"
export LC_ALL=C

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10}
DURATION=${DURATION%s}
CONNECTIONS=${CONNECTIONS:-64}
WARMUP=${WARMUP:-2}
WARMUP=${WARMUP%s}
BENCH_KEEP=${BENCH_KEEP:-0}
PERF_CONTESTANT=${PERF_CONTESTANT:-}

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }

check_params() {  # extra variable names that must be whole numbers too
  local v
  for v in ROUNDS DURATION CONNECTIONS WARMUP "$@"; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number, got '${!v}'"
  done
  ((ROUNDS >= 1 && DURATION >= 1 && CONNECTIONS >= 1)) || die "ROUNDS, DURATION and CONNECTIONS must be >= 1"
}

# ---------------------------------------------------------------------------------------------------
# Tools (installed with apt-get when missing) and the build

need() {  # command package
  command -v "$1" >/dev/null 2>&1 && return 0
  log "installing $2 (for $1)"
  # RUNLEVEL=1: keep the nginx package's post-install script from starting the system nginx.
  DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y "$2" >&2 ||
    { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y "$2" >&2; } ||
    die "cannot install $2"
  command -v "$1" >/dev/null 2>&1 || die "$1 still missing after installing $2"
}

install_tools() {
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
}

build_vigie() {  # sets VIGIE and COMMIT
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
}

# ---------------------------------------------------------------------------------------------------
# Machine: CPUs, pinning, file descriptor limit

setup_machine() {  # what-runs-on-the-server-CPU what-runs-on-the-load-CPU (for PINNING)
  local hard
  mapfile -t CPUS < <(python3 -c 'import os; print("\n".join(map(str, sorted(os.sched_getaffinity(0)))))')
  if ((${#CPUS[@]} >= 2)); then
    LOAD_CPU=${CPUS[0]}
    SERVER_CPU=${CPUS[1]}
    PIN_SRV=(taskset -c "$SERVER_CPU")
    PIN_LOAD=(taskset -c "$LOAD_CPU")
    PINNING="$1 on CPU $SERVER_CPU; $2 on CPU $LOAD_CPU"
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
  CLK_TCK=$(getconf CLK_TCK)
  LOADAVG_START=$(cut -d' ' -f1-3 /proc/loadavg)
}

# ---------------------------------------------------------------------------------------------------
# Processes and clean-up

STARTED=()      # pids of every server we started, in start order
IDLE_PID=""     # run.sh's idle-connection client, while it runs
TEMP_DIRS=()    # other directories removed with T (audit.sh's audit trail, kept off tmpfs)

start_temp() {  # the temporary directory T, removed (servers stopped first) when the script exits
  T=$(mktemp -d "${TMPDIR:-/tmp}/vigie-bench.XXXXXX")
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

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
  if [[ $BENCH_KEEP == 1 ]]; then log "kept $T${TEMP_DIRS[*]:+ ${TEMP_DIRS[*]}}"; else rm -rf "$T" "${TEMP_DIRS[@]}"; fi
  exit "$rc"
}

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

# The upstream (nginx returning BODY) and the nginx reverse proxy in front of it: sets UPSTREAM_PORT,
# UPSTREAM_MASTER, NGINX_PORT, NGINX_MASTER.
start_nginx_pair() {
  local nginx_v m
  TEMP_PATHS="    client_body_temp_path @PREFIX@/client_body;
    proxy_temp_path @PREFIX@/proxy;"
  nginx_v=$(nginx -V 2>&1)
  for m in fastcgi uwsgi scgi; do
    [[ $nginx_v == *"--without-http_${m}_module"* ]] || TEMP_PATHS+=$'\n'"    ${m}_temp_path @PREFIX@/$m;"
  done
  USER_LINE=""
  ((EUID == 0)) && USER_LINE="user root;"  # keep workers able to use the root-owned temporary prefix

  UPSTREAM_PORT=$(free_port)
  start_nginx upstream "$HERE/nginx-upstream.conf.in" "$UPSTREAM_PORT"
  UPSTREAM_MASTER=$NGINX_PID
  log "upstream nginx: 127.0.0.1:$UPSTREAM_PORT (master $UPSTREAM_MASTER)"

  NGINX_PORT=$(free_port)
  start_nginx proxy "$HERE/nginx-proxy.conf.in" "$NGINX_PORT" "$UPSTREAM_PORT"
  NGINX_MASTER=$NGINX_PID
  log "nginx proxy:    127.0.0.1:$NGINX_PORT (master $NGINX_MASTER)"
}

# The OpenID provider, for Vigie's sign-ins and the service principal's token. Vigie's port is
# picked first: the provider must know the callback URL before Vigie starts.
TENANT=7c0d5a2e-3b1f-4e8a-9c64-5d2b8e1f0a93
CLIENT_ID=vigie-bench
DAEMON_ID=bench-daemon
BEARER_AUDIENCE=api://vigie-bench
BEARER_ROLE=Bench.Read
start_idp() {  # sets VIGIE_PORT, CLIENT_SECRET, DAEMON_SECRET, IDP_PID, ISSUER
  local idp_line="" i
  VIGIE_PORT=$(free_port)
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
  exec {IDP_FD}>"$T/idp.in"  # the provider exits when its stdin closes; held open until the script ends
  for ((i = 0; i < 300; i++)); do
    idp_line=$(head -n 1 "$T/idp.ready" 2>/dev/null || true)
    [[ $idp_line =~ \"issuer\":\"([^\"]+)\" ]] && break
    kill -0 "$IDP_PID" 2>/dev/null || { tail_log "$T/idp.log"; die "the OpenID provider exited during start-up"; }
    sleep 0.1
  done
  [[ $idp_line =~ \"issuer\":\"([^\"]+)\" ]] || { tail_log "$T/idp.log"; die "the OpenID provider did not report ready within 30 s"; }
  ISSUER=${BASH_REMATCH[1]}
  log "OpenID provider: $ISSUER (pid $IDP_PID)"
}

declare -A VIGIES=()    # name -> pid of every Vigie process started (its log is $T/NAME.log)
declare -A VIGIE_OF=()  # contestant -> the Vigie process serving it, when not VIGIE_PID
# name template port [PLACEHOLDER VALUE...]: renders tests/bench/TEMPLATE into $T/NAME.yaml (the
# common placeholders and the extra ones given), starts Vigie on the server CPU and waits for its
# ready line. Sets LAST_PID and LAST_ADMIN_PORT; the secrets come from the environment, as do any
# the caller exported.
start_vigie() {
  local name=$1 tpl=$2 port=$3 ready_line
  shift 3
  render "$HERE/$tpl" UPSTREAM_PORT "$UPSTREAM_PORT" VIGIE_PORT "$port" ISSUER "$ISSUER" \
    CLIENT_ID "$CLIENT_ID" BEARER_AUDIENCE "$BEARER_AUDIENCE" BEARER_ROLE "$BEARER_ROLE" "$@" >"$T/$name.yaml"
  mkfifo "$T/$name.ready"
  VIGIE_BENCH_CLIENT_SECRET=$CLIENT_SECRET VIGIE_BENCH_SESSION_KEYS=$(openssl rand -base64 32) \
    "${PIN_SRV[@]}" "$VIGIE" run --config "$T/$name.yaml" --ready-fd 3 3>"$T/$name.ready" </dev/null >"$T/$name.log" 2>&1 &
  LAST_PID=$!
  STARTED+=("$LAST_PID")
  VIGIES[$name]=$LAST_PID
  ready_line=$(timeout 30 head -n 1 "$T/$name.ready") || { tail_log "$T/$name.log"; die "$name did not report ready within 30 s"; }
  [[ $ready_line =~ \"http\":([0-9]+) ]] || { tail_log "$T/$name.log"; die "$name did not start (ready line: '$ready_line')"; }
  ((BASH_REMATCH[1] == port)) || die "$name listens on ${BASH_REMATCH[1]}, not on the configured $port"
  [[ $ready_line =~ \"admin\":([0-9]+) ]] || die "$name reports no admin port (ready line: '$ready_line')"
  LAST_ADMIN_PORT=${BASH_REMATCH[1]}
  log "$(printf '%-15s' "$name:") 127.0.0.1:$port (pid $LAST_PID, ready: $ready_line)"
}

# The service principal's token (client credentials), valid a day: the same one for the whole run.
BEARER_TOKEN=""
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

nginx_workers() {  # sets NGINX_WORKER and UPSTREAM_WORKER
  NGINX_WORKER=$(nginx_worker "$NGINX_MASTER")
  UPSTREAM_WORKER=$(nginx_worker "$UPSTREAM_MASTER")
}

pids_of() {  # processes whose CPU is charged to the contestant: master + workers for nginx
  case $1 in
    upstream) echo "$UPSTREAM_MASTER" $(pgrep -P "$UPSTREAM_MASTER") ;;
    nginx) echo "$NGINX_MASTER" $(pgrep -P "$NGINX_MASTER") ;;
    *) echo "${VIGIE_OF[$1]:-$VIGIE_PID}" ;;
  esac
}
rss_pid_of() { case $1 in upstream) echo "$UPSTREAM_WORKER" ;; nginx) echo "$NGINX_WORKER" ;; *) echo "${VIGIE_OF[$1]:-$VIGIE_PID}" ;; esac; }

check_alive() {
  local name
  for name in "${!VIGIES[@]}"; do
    kill -0 "${VIGIES[$name]}" 2>/dev/null || { tail_log "$T/$name.log"; die "$name (pid ${VIGIES[$name]}) died"; }
  done
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

# Hooks the caller may redefine: before_run CONTESTANT runs before each warm-up and measured run
# (outside the counted CPU); after_run CONTESTANT ROUND after each measured run (ROUND 0: warm-up).
before_run() { :; }
after_run() { :; }

RESULTS=""  # contestant round rps p50 p99 cpu_s requests socket_errors non2xx

warm_up() {
  local c parsed non2xx
  ((WARMUP > 0)) || return 0
  for c in "${CONTESTANTS[@]}"; do
    log "warm-up: $c ${WARMUP}s"
    before_run "$c"
    run_wrk "$c" "$WARMUP" "$T/wrk-warmup-$c.txt"
    if is_auth "$c"; then
      parsed=$(parse_wrk "$T/wrk-warmup-$c.txt") || { cat "$T/wrk-warmup-$c.txt" >&2; die "cannot parse wrk output for the $c warm-up"; }
      read -r _ _ _ _ _ non2xx <<<"$parsed"
      ((non2xx == 0)) || die "$c warm-up: $non2xx answers were not 2xx/3xx, so its credential does not work under load"
    fi
    after_run "$c" 0
  done
  check_alive
}

run_rounds() {  # every contestant once per round, the order rotating from round to round
  local n=${#CONTESTANTS[@]} r k c out pids before after perf_pid parsed cpu rps p50 p99 sock non2xx
  for ((r = 1; r <= ROUNDS; r++)); do
    for ((k = 0; k < n; k++)); do
      c=${CONTESTANTS[(k + r - 1) % n]}
      out="$T/wrk-$c-$r.txt"
      before_run "$c"
      read -r -a pids <<<"$(pids_of "$c")"
      before=$(cpu_ticks "${pids[@]}")
      perf_pid=""
      if [[ " $PERF_CONTESTANT " == *" $c "* && $r == 1 ]]; then
        perf record -F 999 -g -p "${pids[0]}" -o "$T/perf-$c.data" -- sleep "$DURATION" >/dev/null 2>&1 &
        perf_pid=$!
      fi
      run_wrk "$c" "$DURATION" "$out"
      after=$(cpu_ticks "${pids[@]}")
      if [[ -n $perf_pid ]]; then
        wait "$perf_pid" || true
        log "perf profile of $c (samples at 999 Hz; divide by the round's requests to compare contestants):"
        perf report -i "$T/perf-$c.data" -n --no-children --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -40 >&2 || true
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
      after_run "$c" "$r"
    done
  done
}

# ---------------------------------------------------------------------------------------------------
# Report

median() {  # contestant column-number (1-based in $RESULTS)
  awk -v n="$1" -v c="$2" '$1 == n { print $c }' "$RESULTS" | median_of
}
median_of() {  # numbers on stdin, one a line: their median (nan when none)
  sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
total() { awk -v n="$1" -v c="$2" '$1 == n { s += $c } END { print s + 0 }' "$RESULTS"; }
fmt() { awk -v v="$2" "BEGIN { printf \"$1\", v }"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r != "n/a" && r + 0 >= t) ? "met" : "not met" }'; }

declare -A RPS P50 P99 CPU CPU_US ERRS PEAK PEAK_KIB
peak_rss() {  # VmHWM of every contestant's serving process, after the rounds
  local c
  for c in "${CONTESTANTS[@]}"; do PEAK_KIB[$c]=$(status_kib "$(rss_pid_of "$c")" VmHWM); done
}
compute_medians() {
  local c
  for c in "${CONTESTANTS[@]}"; do
    RPS[$c]=$(median "$c" 3)
    P50[$c]=$(median "$c" 4)
    P99[$c]=$(median "$c" 5)
    CPU[$c]=$(median "$c" 6)
    # CPU per request: median over rounds of cpu_s / requests, in microseconds
    CPU_US[$c]=$(awk -v n="$c" '$1 == n && $7 > 0 { print $6 / $7 * 1e6 }' "$RESULTS" | median_of)
    [[ ${CPU_US[$c]} == nan ]] && CPU_US[$c]=0
    ERRS[$c]="$(total "$c" 8)/$(total "$c" 9)"
    PEAK[$c]=$(mib "${PEAK_KIB[$c]}")
  done
}

log_issues() {  # sets VIGIE_LOG_ISSUES, NGINX_LOG_ISSUES: suspicious lines in the servers' logs
  local name
  VIGIE_LOG_ISSUES=0
  for name in "${!VIGIES[@]}"; do
    VIGIE_LOG_ISSUES=$((VIGIE_LOG_ISSUES + $(grep -ciE 'error|warn|critical' "$T/$name.log" || true)))
  done
  NGINX_LOG_ISSUES=$(cat "$T/proxy/error.log" "$T/upstream/error.log" 2>/dev/null | grep -cE '\[(error|crit|alert|emerg)\]' || true)
}

contestant_table() {  # the medians, one row per contestant (stdout)
  local c
  printf '%-13s %12s %9s %9s %12s %11s %14s %16s\n' contestant 'req/s' 'p50 ms' 'p99 ms' 'CPU s/round' 'CPU us/req' 'peak RSS MiB' 'sockerr/non2xx'
  for c in "${CONTESTANTS[@]}"; do
    printf '%-13s %12s %9s %9s %12s %11s %14s %16s\n' "$c" "$(fmt %.0f "${RPS[$c]}")" "$(fmt %.3f "${P50[$c]}")" \
      "$(fmt %.3f "${P99[$c]}")" "$(fmt %.2f "${CPU[$c]}")" "$(fmt %.1f "${CPU_US[$c]}")" "${PEAK[$c]}" "${ERRS[$c]}"
  done
}

md_contestant_table() {  # the same in Markdown
  local c
  echo "| contestant | req/s | p50 ms | p99 ms | CPU s/round | CPU µs/req | peak RSS MiB | socket errors / non-2xx (all rounds) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  for c in "${CONTESTANTS[@]}"; do
    echo "| $c | $(fmt %.0f "${RPS[$c]}") | $(fmt %.3f "${P50[$c]}") | $(fmt %.3f "${P99[$c]}") | $(fmt %.2f "${CPU[$c]}") | $(fmt %.1f "${CPU_US[$c]}") | ${PEAK[$c]} | ${ERRS[$c]} |"
  done
}

md_machine() {  # the "Machine and software" bullets
  local nginx_version wrk_version vigie_version cpu_model
  nginx_version=$(nginx -v 2>&1 | sed 's/^nginx version: //')
  wrk_version=$(wrk --version 2>&1 | head -n 1 | awk '{ print $1, $2 }' || true)
  vigie_version=$("$VIGIE" version 2>/dev/null || echo unknown)
  cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  echo "- CPUs: $(nproc) (\`nproc\`), ${cpu_model:-unknown model}; kernel $(uname -r)"
  echo "- load average before the run: $LOADAVG_START"
  echo "- Vigie: $vigie_version, commit $COMMIT, CMake Release build (\`build-release/vigie\`)"
  echo "- nginx $nginx_version; $wrk_version"
  echo "- open-file limit (\`ulimit -n\`): $NOFILE"
}

md_rounds() {  # every round, as measured
  echo "| round | contestant | req/s | p50 ms | p99 ms | CPU s | requests | socket errors | non-2xx |"
  echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|"
  sort -k2,2n -s "$RESULTS" | awk '{ printf "| %s | %s | %.0f | %.3f | %.3f | %.2f | %s | %s | %s |\n", $2, $1, $3, $4, $5, $6, $7, $8, $9 }'
}
