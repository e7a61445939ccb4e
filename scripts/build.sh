#!/usr/bin/env bash
# Configures and builds onshi into a build directory.
#   scripts/build.sh [BUILD_DIR] [extra cmake -D options...]
# Defaults: build/, RelWithDebInfo. Two jobs: this is sized for a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}
shift || true
JOBS=${ONSHI_JOBS:-2}
cmake -S . -B "$BUILD_DIR" -G Ninja "$@" >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS"
