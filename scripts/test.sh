#!/usr/bin/env bash
# The second README command: installs what is missing, builds Vigie and its tests, runs every test
# (unit, integration against the real binary, fuzz corpus replay) through ctest.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/lib.sh"

vigie_install
vigie_node_deps
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
vigie_build build RelWithDebInfo -DVIGIE_WERROR=$werror
cd "$ROOT/build"
ctest -j "$(nproc)" --output-on-failure --timeout 600
