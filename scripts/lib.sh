# Shared by scripts/demo.sh and scripts/test.sh: install what is missing, then configure and build.
# Sourced, not run.

# Debian 12 packages the build and the tests use.
VIGIE_PACKAGES=(
  cmake ninja-build g++ ccache pkg-config
  libboost1.81-dev libssl-dev nlohmann-json3-dev libspdlog-dev prometheus-cpp-dev libhiredis-dev
  libyaml-cpp-dev libgtest-dev googletest libbenchmark-dev
  openssl curl ca-certificates chromium redis-server
)

vigie_install() {
  local missing=()
  for p in "${VIGIE_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# vigie_build DIR BUILD_TYPE [cmake args…]; builds the targets in $VIGIE_TARGETS (default: all).
vigie_build() {
  local dir=$1 type=$2
  shift 2
  cmake -S "$ROOT" -B "$ROOT/$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
  # shellcheck disable=SC2086
  ninja -C "$ROOT/$dir" ${VIGIE_TARGETS:-}
}

# Node.js and the packages of the OpenID provider fixture (tests/support/oidc) that the login tests
# run against. Debian's nodejs/npm are installed only when missing: a nodesource nodejs bundles
# its own npm, and Debian's npm package conflicts with it.
vigie_node_deps() {
  local dir="$ROOT/tests/support/oidc" missing=() sudo=""
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 18 ]; then
    echo "Node.js 18 or later is required, found $(node --version)" >&2
    return 1
  fi
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$dir/node_modules"
  fi
}
