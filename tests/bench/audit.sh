#!/usr/bin/env bash
# Benchmarks what the audit trail costs patient-data reads (issue 5): the same authenticated OpenMRS
# REST read with auditing off and with a `sync` patient stream (every response waits until its
# record is on disk; records that arrive during an fdatasync share the next one: group commit).
#
#   tests/bench/audit.sh                    # full run: 5 rounds x 10 s, 64 connections
#   ROUNDS=1 DURATION=3 tests/bench/audit.sh   # quick check
#
# Contestants, all on 127.0.0.1, each with one worker, all loading GET /openmrs/ws/rest/v1/patient/<uuid>
# with a service principal's bearer token (tests/support/oidc, as in run.sh):
#   nginx        wrk -> nginx keep-alive reverse proxy -> upstream (the reference; no token needed)
#   audit-off    wrk -> vigie (Release, workers: 1) -> upstream, a bearer route that is not patient data
#   audit-sync   the same vigie process, a bearer route marked `audit: patient` (selected by Host),
#                patient stream `sink: file, durability: sync` on a disk (not tmpfs)
#   audit-async  a second vigie process, the same but `durability: async` (AUDIT_ASYNC=0: left out)
# The upstream is nginx returning a fixed ~600-byte JSON body. Every server is pinned to one CPU and
# wrk to another; rounds are interleaved (the order rotates each round); the tables report medians.
# Before the rounds, one request per audited route must answer 200 with its record (that request's
# X-Request-Id, the patient's uuid) already in the file, and one on audit-off must leave none. After
# every run, Vigie's admin /metrics must show as many records as audited requests served, at least as
# many as wrk counted, and none at all for the other contestants.
# Results are printed and written to docs/benchmarks-audit.md, with the group commit's batch sizes
# and fdatasync times from Vigie's metrics; the last line on stdout is
# "audit-sync/audit-off throughput ratio: X.XX".
#
# Environment: ROUNDS (5), DURATION seconds (10), CONNECTIONS (64), WARMUP seconds per contestant
# before the rounds (2), AUDIT_ASYNC (1; 0 leaves audit-async out), AUDIT_DIR (build-release: a new
# directory is made in it for the trail; it must not be tmpfs), BENCH_DOC (docs/benchmarks-audit.md),
# BENCH_KEEP=1 keeps the temporary directories (configs, logs, metrics, audit files, wrk output).
# PERF_CONTESTANT=NAME profiles that contestant's first round, as in run.sh.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/bench/lib.sh
. "$HERE/lib.sh"

BENCH_DOC=${BENCH_DOC:-$ROOT/docs/benchmarks-audit.md}
AUDIT_ASYNC=${AUDIT_ASYNC:-1}
AUDIT_DIR=${AUDIT_DIR:-$ROOT/build-release}
AUDIT_TARGET=0.50  # the issue's target: sync-audited throughput >= 0.5x the same reads unaudited
AUDITED_HOST=audited.bench
PATIENT=5946f880-b197-400b-9caa-a3c661d23041
PATIENT_PATH=/openmrs/ws/rest/v1/patient/$PATIENT
CONTESTANTS=(nginx audit-off audit-sync)
[[ $AUDIT_ASYNC == 1 ]] && CONTESTANTS+=(audit-async)

check_params AUDIT_ASYNC
install_tools
build_vigie
setup_machine "every server (upstream nginx, proxy nginx, Vigie with its audit writer thread, and the OpenID provider, idle during the rounds)" \
  "wrk and curl"
start_temp

# ---------------------------------------------------------------------------------------------------
# The audit trail's directory: on a disk, where fdatasync waits for the device

mkdir -p "$AUDIT_DIR"
AUDIT_TMP=$(mktemp -d "$AUDIT_DIR/bench-audit.XXXXXX")
TEMP_DIRS+=("$AUDIT_TMP")
read -r AUDIT_DEV AUDIT_FSTYPE AUDIT_MOUNT < <(df -P -T "$AUDIT_TMP" | awk 'NR == 2 { print $1, $2, $7 }')
REPO_DEV=$(df -P "$ROOT" | awk 'NR == 2 { print $1 }')
case $AUDIT_FSTYPE in
  tmpfs | ramfs) die "$AUDIT_TMP is on $AUDIT_FSTYPE, where fdatasync costs nothing: set AUDIT_DIR to a directory on a disk" ;;
esac
AUDIT_FS="$AUDIT_FSTYPE on $AUDIT_DEV, mounted on $AUDIT_MOUNT"
if [[ $AUDIT_DEV != "$REPO_DEV" ]]; then
  AUDIT_FS+=" (not the repository's disk, $REPO_DEV)"
  log "WARNING: the audit trail is on $AUDIT_DEV, not on the repository's disk $REPO_DEV"
fi
log "audit trail: $AUDIT_TMP ($AUDIT_FS)"
declare -A AUDIT_FILE=([audit-sync]="$AUDIT_TMP/patient-sync.log" [audit-async]="$AUDIT_TMP/patient-async.log")
VIGIE_BENCH_AUDIT_KEY=$(openssl rand -base64 32)  # 44 bytes; the chain key needs 32 or more
export VIGIE_BENCH_AUDIT_KEY

# ---------------------------------------------------------------------------------------------------
# Servers

start_nginx_pair
start_idp
start_vigie vigie vigie-audit.yaml.in "$VIGIE_PORT" AUDITED_HOST "$AUDITED_HOST" \
  AUDIT_FILE "${AUDIT_FILE[audit-sync]}" DURABILITY sync
VIGIE_PID=$LAST_PID
declare -A ADMIN_OF=([audit-sync]=$LAST_ADMIN_PORT)
declare -A PORT_OF=([audit-off]=$VIGIE_PORT [audit-sync]=$VIGIE_PORT)
if [[ $AUDIT_ASYNC == 1 ]]; then
  PORT_OF[audit-async]=$(free_port)
  start_vigie vigie-async vigie-audit.yaml.in "${PORT_OF[audit-async]}" AUDITED_HOST "$AUDITED_HOST" \
    AUDIT_FILE "${AUDIT_FILE[audit-async]}" DURABILITY async
  VIGIE_OF[audit-async]=$LAST_PID
  ADMIN_OF[audit-async]=$LAST_ADMIN_PORT
fi

url_of() {  # contestant: the URL wrk loads (the same path for all)
  case $1 in
    nginx) echo "http://127.0.0.1:$NGINX_PORT$PATIENT_PATH" ;;
    *) echo "http://127.0.0.1:${PORT_OF[$1]}$PATIENT_PATH" ;;
  esac
}
is_auth() { [[ $1 == audit-* ]]; }
is_audited() { [[ $1 == audit-sync || $1 == audit-async ]]; }
# shellcheck disable=SC2034  # args_ is a nameref to the caller's array
header_args() {  # contestant array-name: the bearer token, and the Host that selects the audited route
  local -n args_=$2
  args_=()
  if is_auth "$1"; then args_=(-H "Authorization: Bearer $BEARER_TOKEN"); fi
  if is_audited "$1"; then args_+=(-H "Host: $AUDITED_HOST"); fi
}

get_token
log "bearer token: ${#BEARER_TOKEN} bytes"

# ---------------------------------------------------------------------------------------------------
# Vigie's metrics and the audit file

# metrics.py delta BEFORE AFTER ROUTE: one line "records served_2xx served_all batches batch_records
#   fsyncs fsync_seconds bytes failures dropped refused queue_depth" (the patient stream; queue depth
#   is AFTER's)
# metrics.py groupcommit BEFORE AFTER text|md: the batch-size and fdatasync-time histograms between
#   the two snapshots
# metrics.py record FILE REQUEST_ID: the record of that request in an audit file, as JSON, or nothing
cat >"$T/metrics.py" <<'PY'
import json, re, sys

def load(path):
    m = {}
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        g = re.match(r'^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)', line)
        if g:
            labels = tuple(sorted(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', g.group(2) or "")))
            m[(g.group(1), labels)] = float(g.group(3))
    return m

def get(m, name, **labels):
    return m.get((name, tuple(sorted(labels.items()))), 0.0)

def buckets(m, name):  # [(le, cumulative count)], +Inf last
    out = []
    for (n, labels), v in m.items():
        d = dict(labels)
        if n == name + "_bucket" and d.get("stream") == "patient":
            out.append((float("inf") if d["le"] == "+Inf" else float(d["le"]), v))
    return sorted(out)

def hist(before, after, name):
    b, a = dict(buckets(before, name)), buckets(after, name)
    cum = [(le, v - b.get(le, 0.0)) for le, v in a]
    count = get(after, name + "_count", stream="patient") - get(before, name + "_count", stream="patient")
    total = get(after, name + "_sum", stream="patient") - get(before, name + "_sum", stream="patient")
    return cum, count, total

def quantile(cum, count, q):  # as Prometheus' histogram_quantile: linear within the bucket
    if count <= 0:
        return float("nan")
    rank, lo, prev = q * count, 0.0, 0.0
    for le, c in cum:
        if c >= rank:
            if le == float("inf"):
                return lo
            return lo + (le - lo) * ((rank - prev) / (c - prev) if c > prev else 1.0)
        lo, prev = le, c
    return lo

def ranges(cum, unit):  # [(label, count in the bucket, lower bound, upper bound)] for the buckets that hold something
    out, lo, prev = [], None, 0.0
    for le, c in cum:
        n = c - prev
        if n > 0:
            out.append((unit(lo, le), n, lo, le))
        lo, prev = le, c
    return out

def bucket_of(cum, count, q, unit):  # the bucket that holds the q-quantile, as a label
    lo = None
    for le, c in cum:
        if c >= q * count:
            return unit(lo, le)
        lo = le
    return "?"

def records_in(lo, le, n):  # bounds of the records that n batches of this bucket hold
    first = 1 if lo is None else int(lo) + 1
    if le != float("inf") and first == int(le):
        return "%d" % (n * first)
    return "%d–%s" % (n * first, "?" if le == float("inf") else "%d" % (n * int(le)))

def batch_label(lo, le):
    if le == float("inf"):
        return "> %d" % lo
    first = 1 if lo is None else int(lo) + 1
    return str(int(le)) if first == int(le) else "%d–%d" % (first, int(le))

def ms(v):
    return ("%.2f" % (v * 1000)).rstrip("0").rstrip(".")

def time_label(lo, le):
    if le == float("inf"):
        return "> %s ms" % ms(lo)
    return "%s–%s ms" % (ms(lo or 0.0), ms(le))

cmd = sys.argv[1]
if cmd == "delta":
    before, after, route = load(sys.argv[2]), load(sys.argv[3]), sys.argv[4]
    d = lambda name, **l: get(after, name, **l) - get(before, name, **l)
    served = {s: d("vigie_requests_total", route=route, method="GET", status=s) for s in ("1xx", "2xx", "3xx", "4xx", "5xx")}
    print("%d %d %d %d %d %d %.6f %d %d %d %d %d" % (
        d("vigie_audit_total", stream="patient", kind="records"), served["2xx"], sum(served.values()),
        d("vigie_audit_batch_records_count", stream="patient"), d("vigie_audit_batch_records_sum", stream="patient"),
        d("vigie_audit_fsync_seconds_count", stream="patient"), d("vigie_audit_fsync_seconds_sum", stream="patient"),
        d("vigie_audit_total", stream="patient", kind="bytes"), d("vigie_audit_total", stream="patient", kind="failures"),
        d("vigie_audit_total", stream="patient", kind="dropped"), d("vigie_audit_refused_requests_total"),
        get(after, "vigie_audit_state", stream="patient", kind="queue_depth")))
elif cmd == "groupcommit":
    before, after, mode = load(sys.argv[2]), load(sys.argv[3]), sys.argv[4]
    bc, bn, bs = hist(before, after, "vigie_audit_batch_records")
    fc, fn, fs = hist(before, after, "vigie_audit_fsync_seconds")
    if bn <= 0:
        print("no batches were written" if mode == "text" else "No batches were written.")
        sys.exit(0)
    mean = bs / bn
    p50, p99 = bucket_of(bc, bn, 0.5, batch_label), bucket_of(bc, bn, 0.99, batch_label)
    brows, frows = ranges(bc, batch_label), ranges(fc, time_label)
    if fn > 0:
        fsync = "%d fdatasync calls, mean %.2f ms (sum/count), p50 ~%.2f ms, p99 ~%.2f ms (interpolated within the buckets)" % (
            fn, fs / fn * 1000, quantile(fc, fn, 0.5) * 1000, quantile(fc, fn, 0.99) * 1000)
    else:
        fsync = "no fdatasync measured: an async stream syncs about once a second, outside vigie_audit_fsync_seconds"
    if mode == "text":
        print("  batches: %d for %d records, mean %.1f records per batch; median batch %s, p99 %s records" % (bn, bs, mean, p50, p99))
        print("  batch sizes (records: batches): " + ", ".join("%s: %d (%.1f%%)" % (r[0], r[1], 100 * r[1] / bn) for r in brows))
        print("  " + fsync + ("; " + ", ".join("%s: %d" % (r[0], r[1]) for r in frows) if frows else ""))
    else:
        print("| batches | records | mean records per batch (sum/count) | median batch | p99 batch |")
        print("|---:|---:|---:|---:|---:|")
        print("| %d | %d | %.1f | %s | %s |" % (bn, bs, mean, p50, p99))
        print()
        print("| records in the batch | batches | share of batches | records in them (bounds) |")
        print("|---|---:|---:|---:|")
        for l, n, lo, le in brows:
            print("| %s | %d | %.1f %% | %s |" % (l, n, 100 * n / bn, records_in(lo, le, n)))
        print()
        if frows:
            print("| fdatasync time | calls | share |")
            print("|---|---:|---:|")
            for l, n, _, _ in frows:
                print("| %s | %d | %.1f %% |" % (l, n, 100 * n / fn))
            print()
        print(fsync[0].upper() + fsync[1:] + ".")
elif cmd == "record":
    for line in open(sys.argv[2]):
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if r.get("request_id") == sys.argv[3]:
            print(json.dumps(r))
            break
PY

snapshot() {  # contestant file: Vigie's /metrics (the process serving the contestant)
  "${PIN_LOAD[@]}" curl -sS --max-time 5 -o "$2" "http://127.0.0.1:${ADMIN_OF[$1]}/metrics" ||
    die "the admin endpoint of $1 (127.0.0.1:${ADMIN_OF[$1]}) did not answer"
}

# Every Vigie process's metrics before a run; after it, once the last records are written (wrk
# stops with requests in flight, which Vigie still records and answers), the deltas are checked.
AUDITORS=(audit-sync)
[[ $AUDIT_ASYNC == 1 ]] && AUDITORS+=(audit-async)
DELTAS="$T/deltas.txt"  # contestant round wrk_requests then, for its stream, the delta fields above
: >"$DELTAS"
before_run() {
  local a
  for a in "${AUDITORS[@]}"; do snapshot "$a" "$T/before-$a.prom"; done
}
settle() {  # auditor: waits until its records and served requests stop moving (at most 5 s)
  local i prev="" now
  for ((i = 0; i < 50; i++)); do
    sleep 0.1
    snapshot "$1" "$T/after-$1.prom"
    now=$(python3 "$T/metrics.py" delta "$T/before-$1.prom" "$T/after-$1.prom" bench-audited)
    [[ $now == "$prev" && ${now##* } == 0 ]] && return 0
    prev=$now
  done
  log "WARNING: $1's records were still moving 5 s after wrk stopped: $now"
}
after_run() {  # contestant round
  local c=$1 r=$2 a out requests records s2xx sall rest failures dropped refused
  out="$T/wrk-$c-$r.txt"
  ((r > 0)) || out="$T/wrk-warmup-$c.txt"
  requests=$(parse_wrk "$out" | awk '{ print $4 }') || die "cannot parse $out"
  for a in "${AUDITORS[@]}"; do
    settle "$a"
    read -r records s2xx sall rest <<<"$(python3 "$T/metrics.py" delta "$T/before-$a.prom" "$T/after-$a.prom" bench-audited)"
    if [[ $a != "$c" ]]; then
      # nginx, audit-off, or the other audited process: nothing may reach this trail.
      ((records == 0)) || die "$c run $r: $records records reached the $a trail, which this run does not use"
      continue
    fi
    echo "$c $r $requests $records $s2xx $sall $rest" >>"$DELTAS"
    read -r _ _ _ _ _ failures dropped refused _ <<<"$rest"
    ((failures + dropped + refused == 0)) ||
      die "$c run $r: the trail failed $failures times, dropped $dropped records, refused $refused requests (503)"
    # Every audited request served has its record, written before its response: at least what wrk
    # counted, at most that plus the requests in flight when wrk stopped (one per connection).
    ((records == sall)) || die "$c run $r: $records records for $sall requests served on the audited route ($s2xx 2xx): records are missing (Vigie bug)"
    ((r == 0 || records >= requests)) || die "$c run $r: $records records, but wrk counted $requests answers: answers without records (Vigie bug)"
    ((r == 0 || records - requests <= CONNECTIONS)) ||
      log "WARNING: $c run $r: $records records, $((records - requests)) more than wrk's $requests answers (more than $CONNECTIONS in flight?)"
    ((sall == s2xx)) || log "WARNING: $c run $r: $((sall - s2xx)) audited requests answered something other than 2xx"
  done
}

record_of() {  # auditor request-id: the record, as JSON, or nothing
  python3 "$T/metrics.py" record "${AUDIT_FILE[$1]}" "$2"
}
request_id() { awk -F': ' 'tolower($1) == "x-request-id" { sub(/\r$/, "", $2); print $2 }' "$T/expect.headers"; }

# ---------------------------------------------------------------------------------------------------
# Sanity: each route answers the upstream's body with the token and 401 without; an audited request's
# record names that request and the patient; audit-off leaves no record.

expect "GET $PATIENT_PATH through nginx" 200 nginx
expect "audit-off with its token" 200 audit-off with-credential
OFF_ID=$(request_id)
expect "audit-off without a token" 401 audit-off
for a in "${AUDITORS[@]}"; do
  expect "$a with its token" 200 "$a" with-credential
  id=$(request_id)
  [[ -n $id ]] || die "$a: the answer has no X-Request-Id"
  rec=$(record_of "$a" "$id")
  if [[ -z $rec && $a == audit-async ]]; then  # written in the background: give it a moment
    for ((i = 0; i < 20 && ${#rec} == 0; i++)); do sleep 0.1; rec=$(record_of "$a" "$id"); done
  fi
  # A sync record is on disk before the response is released: it must be there already.
  [[ -n $rec ]] || { tail_log "$T/vigie.log"; die "$a: no record with X-Request-Id $id in ${AUDIT_FILE[$a]} after a 200 (Vigie bug)"; }
  python3 - "$rec" "$PATIENT" "$a" <<'PY' || die "$a: the record of request $id is not what was expected: $rec"
import json, sys
r, patient, name = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
ok = (r.get("kind") == "patient_access" and r.get("status") == 200 and r.get("route") == "bench-audited"
      and any(p.get("id") == patient for p in r.get("patients", [])))
sys.exit(0 if ok else 1)
PY
  log "$a: record of request $id found (patient $PATIENT, status 200)"
  expect "$a without a token" 401 "$a"
done
[[ -n $OFF_ID ]] || die "audit-off: the answer has no X-Request-Id"
sleep 0.5
for a in "${AUDITORS[@]}"; do
  [[ -z $(record_of "$a" "$OFF_ID") ]] || die "audit-off request $OFF_ID has a record in ${AUDIT_FILE[$a]}: the unaudited route is audited"
done
log "audit-off: no record of request $OFF_ID"

nginx_workers

# ---------------------------------------------------------------------------------------------------
# Throughput and latency rounds

RESULTS="$T/results.txt"
: >"$RESULTS"
warm_up
for a in "${AUDITORS[@]}"; do snapshot "$a" "$T/start-$a.prom"; done
run_rounds
for a in "${AUDITORS[@]}"; do snapshot "$a" "$T/end-$a.prom"; done
peak_rss
LOADAVG_END=$(cut -d' ' -f1-3 /proc/loadavg)

# The chain of every file must verify (Vigie still runs, idle: the last line is whole).
declare -A VERIFY LINES BYTES
for a in "${AUDITORS[@]}"; do
  files=()
  for f in "${AUDIT_FILE[$a]}".*; do [[ -f $f ]] && files+=("$f"); done  # rotated ones, oldest first
  files+=("${AUDIT_FILE[$a]}")
  if out=$("$VIGIE" audit verify --key-env VIGIE_BENCH_AUDIT_KEY "${files[@]}" 2>&1); then
    VERIFY[$a]="verified"
  else
    VERIFY[$a]="FAILED"
    log "WARNING: vigie audit verify failed on ${files[*]}:"
    printf '%s\n' "$out" | tail -n 5 | sed 's/^/    /' >&2
  fi
  LINES[$a]=$(cat "${files[@]}" | wc -l)
  BYTES[$a]=$(cat "${files[@]}" | wc -c)
done

# ---------------------------------------------------------------------------------------------------
# Report

compute_medians
log_issues
ratio_line() {  # a b: "throughput X, p99 latency Y, CPU per request Z"
  echo "throughput $(ratio "${RPS[$1]}" "${RPS[$2]}"), p99 latency $(ratio "${P99[$1]}" "${P99[$2]}"), CPU per request $(ratio "${CPU_US[$1]}" "${CPU_US[$2]}")"
}
R_SYNC=$(ratio "${RPS[audit-sync]}" "${RPS[audit-off]}")
R_OFF_NGINX=$(ratio "${RPS[audit-off]}" "${RPS[nginx]}")
SYNC_VERDICT=$(verdict "$R_SYNC" "$AUDIT_TARGET")
# The same ratio within each round (the two ran a few seconds apart): how much the noise moves it.
per_round() {  # a b: "x, y, ... (median m, lowest l)"
  local list
  list=$(awk -v a="$1" -v b="$2" '$1 == a { x[$2] = $3 } $1 == b { y[$2] = $3 }
    END { for (r in x) if (y[r] > 0) printf "%d %.2f\n", r, x[r] / y[r] }' "$RESULTS" | sort -n | cut -d' ' -f2)
  echo "$(paste -sd, <<<"$list" | sed 's/,/, /g') (median $(median_of <<<"$list"), lowest $(sort -g <<<"$list" | head -n 1))"
}
SYNC_PER_ROUND=$(per_round audit-sync audit-off)
# Over the measured runs of each audited contestant: records, requests served, wrk's count.
sums() { awk -v n="$1" '$1 == n && $2 > 0 { w += $3; rec += $4; s += $6; b += $11 } END { printf "%d %d %d %d\n", w, rec, s, b }' "$DELTAS"; }

{
  echo
  echo "Audit trail cost: $ROUNDS interleaved rounds x ${DURATION}s, wrk -t1 -c$CONNECTIONS, medians; pinning: $PINNING"
  echo "audit trail on $AUDIT_FS"
  contestant_table
  echo
  echo "audit-sync/audit-off ratios: $(ratio_line audit-sync audit-off) (target: throughput >= $AUDIT_TARGET: $SYNC_VERDICT)"
  echo "audit-sync/audit-off throughput ratio round by round: $SYNC_PER_ROUND"
  [[ $AUDIT_ASYNC == 1 ]] && echo "audit-async/audit-off ratios: $(ratio_line audit-async audit-off)"
  echo "audit-off/nginx ratios: $(ratio_line audit-off nginx)"
  for a in "${AUDITORS[@]}"; do
    read -r w rec s b <<<"$(sums "$a")"
    echo
    echo "$a over the measured rounds: $rec records written for $s requests served (wrk counted $w answers; $((rec - w)) in flight when wrk stopped); $([[ $a == audit-sync ]] && echo "group commit" || echo "writer batches"):"
    python3 "$T/metrics.py" groupcommit "$T/start-$a.prom" "$T/end-$a.prom" text
    echo "  audit file: ${LINES[$a]} records, ${BYTES[$a]} bytes, $(ratio "${BYTES[$a]}" "${LINES[$a]}") bytes per record; chain ${VERIFY[$a]}"
  done
  echo
  echo "load average: $LOADAVG_START before, $LOADAVG_END after"
  echo "server log lines: vigie error/warn $VIGIE_LOG_ISSUES, nginx error/crit/alert $NGINX_LOG_ISSUES"
}

mkdir -p "$(dirname "$BENCH_DOC")"
{
  echo "# Benchmarks: the audit trail's cost on patient-data reads"
  echo
  echo "Generated by \`tests/bench/audit.sh\` on $(date -u '+%Y-%m-%d %H:%M:%S UTC'). Re-run it to refresh this page."
  echo
  echo "## Machine and software"
  echo
  md_machine
  echo "- load average after the run: $LOADAVG_END"
  echo "- audit trail: $AUDIT_FS"
  echo
  echo "## Method"
  echo
  echo "- Every contestant loads the same OpenMRS REST read, \`GET $PATIENT_PATH\`, through a proxy to an nginx upstream returning a fixed ${#BODY}-byte JSON body; all on 127.0.0.1 with one worker each:"
  echo "  - \`nginx\`: nginx as a keep-alive reverse proxy (\`keepalive 64\`, \`proxy_http_version 1.1\`, \`Connection \"\"\`, no access log); the reference."
  echo "  - \`audit-off\`: Vigie with \`workers: 1\`, access log off, a route with \`auth: bearer\` (an audience and an app role required) and \`policy: authenticated\`; not patient data, so no record. wrk sends \`Authorization: Bearer\` with a service principal's client-credentials JWT (${#BEARER_TOKEN} bytes, RS256) from the tests' Entra-shaped OpenID provider, verified once and then served from the worker's verified-token cache."
  echo "  - \`audit-sync\`: the same Vigie process and the same request, plus \`Host: $AUDITED_HOST\`, which selects a second route, identical but marked \`audit: patient\`. Its patient stream is \`sink: file\`, \`format: json\`, \`durability: sync\`: each request's record (who, which patient found by the default OpenMRS/FHIR rules, route, status, bytes), sealed into the HMAC chain, is written and \`fdatasync\`ed by the audit writer thread before the response is released. Records that arrive while an fdatasync runs wait for the next one (group commit)."
  if [[ $AUDIT_ASYNC == 1 ]]; then
    echo "  - \`audit-async\`: a second Vigie process, the same configuration with \`durability: async\`: the response does not wait; the writer writes in the background and \`fdatasync\`s about once a second. It shows what recording costs without waiting for the disk."
  fi
  echo "- Audit files: a new directory under \`${AUDIT_DIR/#"$ROOT"\//}\`, on $AUDIT_FS; the default rotation (256 MiB or a day)."
  echo "- Before the rounds: each route answers 200 with the upstream's body with the token and 401 without; an audited request's record (its \`X-Request-Id\`, the patient's uuid, status 200) is in the file when the response arrives; an \`audit-off\` request leaves no record."
  echo "- After every run (warm-ups included), once the writer is idle: Vigie's admin \`/metrics\` must show exactly one record (\`vigie_audit_total{kind=\"records\"}\`) per request served on the audited route (\`vigie_requests_total\`), at least as many as wrk counted and at most $CONNECTIONS more (requests in flight when wrk stops are still recorded and answered), and no record during the other contestants' runs. After the rounds, \`vigie audit verify\` checks every file's chain."
  echo "- Pinning: $PINNING. The proxy under test and the upstream share their CPU; so does Vigie's audit writer thread."
  echo "- Load: \`wrk -t1 -c$CONNECTIONS -d${DURATION}s --latency [-H 'Authorization: Bearer …'] [-H 'Host: $AUDITED_HOST'] http://127.0.0.1:PORT$PATIENT_PATH\`; one ${WARMUP}s warm-up per contestant first (not counted)."
  echo "- $ROUNDS interleaved rounds; in each round every contestant runs once and the order rotates from round to round."
  echo "- Every figure is the median over the rounds. CPU is utime+stime of the serving processes during a round, from \`/proc/PID/stat\` (nginx: master + worker; Vigie: the whole process, audit writer included). CPU per request is that CPU divided by wrk's request count."
  echo "- Group commit figures come from Vigie's \`/metrics\` before and after the rounds (warm-ups excluded): \`vigie_audit_batch_records\` (records per batch; one fdatasync per batch) and \`vigie_audit_fsync_seconds\`. The median and p99 batch are the buckets that hold them; the fdatasync-time percentiles are interpolated within the buckets, so they are rough."
  echo "- Parameters: ROUNDS=$ROUNDS DURATION=${DURATION}s CONNECTIONS=$CONNECTIONS WARMUP=${WARMUP}s AUDIT_ASYNC=$AUDIT_ASYNC"
  echo
  echo "## Throughput and latency (medians)"
  echo
  md_contestant_table
  echo
  echo "| ratio (medians) | throughput | p99 latency | CPU per request |"
  echo "|---|---:|---:|---:|"
  for pair in audit-sync/audit-off audit-async/audit-off audit-off/nginx; do
    a=${pair%/*} b=${pair#*/}
    [[ -n ${RPS[$a]:-} ]] || continue
    echo "| $pair | $(ratio "${RPS[$a]}" "${RPS[$b]}") | $(ratio "${P99[$a]}" "${P99[$b]}") | $(ratio "${CPU_US[$a]}" "${CPU_US[$b]}") |"
  done
  echo
  echo "Issue 5's target: patient-data reads with \`sync\` durability at $CONNECTIONS connections reach at least ${AUDIT_TARGET}× the throughput of the same reads with auditing off: **$R_SYNC, $SYNC_VERDICT**. Round by round (the two contestants a few seconds apart): $SYNC_PER_ROUND."
  for a in "${AUDITORS[@]}"; do
    read -r w rec s b <<<"$(sums "$a")"
    echo
    if [[ $a == audit-sync ]]; then echo "## Group commit (fdatasync batches): $a"; else echo "## Writer batches: $a"; fi
    echo
    python3 "$T/metrics.py" groupcommit "$T/start-$a.prom" "$T/end-$a.prom" md
    echo
    echo "Over the measured rounds: $rec records written for $s requests served on the audited route; wrk counted $w answers, so $((rec - w)) were in flight when wrk stopped (at most one per connection and run). The files hold ${LINES[$a]} records (warm-ups, checks and the trail's own \`audit_started\` record included) in ${BYTES[$a]} bytes: $(ratio "${BYTES[$a]}" "${LINES[$a]}") bytes per record ($(ratio "$b" "$rec") by \`vigie_audit_total{kind=\"bytes\"}\` over the rounds). \`vigie audit verify\`: ${VERIFY[$a]}."
  done
  echo
  echo "## Every round"
  echo
  md_rounds
  echo
  echo "Records per run (audited contestants; run 0 is the warm-up), from \`/metrics\`:"
  echo
  echo "| contestant | run | wrk answers | records | served | records per batch | fdatasync calls | mean fdatasync ms |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  sort -k1,1 -k2,2n "$DELTAS" | awk '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $6,
    ($7 > 0 ? sprintf("%.1f", $8 / $7) : "–"), $9, ($9 > 0 ? sprintf("%.2f", $10 / $9 * 1000) : "–") }'
} >"$BENCH_DOC"
log "wrote $BENCH_DOC"

echo
echo "audit-off/nginx throughput ratio: $R_OFF_NGINX"
echo "audit-sync/audit-off throughput ratio: $R_SYNC"
