#!/usr/bin/env bash
# A clinic morning with onshi: installs what is missing, builds, starts the terminal simulator
# and onshid on a temporary folder, checks several patients of the synthetic dataset through
# sample_host (the reception panel), and stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT_DIR=$(pwd)

scripts/install-deps.sh
echo "== building onshid, onshi-terminal-sim, sample_host (build/)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "${ONSHI_JOBS:-2}" --target onshid onshi-terminal-sim sample_host

WORK=$(mktemp -d /tmp/onshi-demo.XXXXXX)
chmod 700 "$WORK"
SIM_PID=""
ONSHID_PID=""
cleanup() {
  [ -n "$ONSHID_PID" ] && kill -TERM "$ONSHID_PID" 2>/dev/null && wait "$ONSHID_PID" 2>/dev/null
  [ -n "$SIM_PID" ] && kill -TERM "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/oqs"
cat >"$WORK/onshid.conf" <<EOF
state_dir: "$WORK/state"
unix_socket_path: "$WORK/run/onshid.sock"
log_level: "warning"
terminal {
  root: "$WORK/oqs"
  medical_institution_code: "1310000016"
  answer_timeout_ms: 3000
  rescan_interval_ms: 500
}
EOF

wait_ready() {  # file pid name
  for _ in $(seq 1 100); do
    grep -q '^ready$' "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "$3 did not start:"; cat "${1%.out}.err"; exit 1; }
    sleep 0.1
  done
  echo "$3 did not become ready"; exit 1
}

echo "== starting the terminal simulator (answers after ~300 ms) and onshid"
build/adapters/terminal_sim/onshi-terminal-sim --root "$WORK/oqs" \
  --dataset "$ROOT_DIR/tests/data/sim/dataset.textproto" --institution 1310000016 \
  --latency-ms 300 >"$WORK/sim.out" 2>"$WORK/sim.err" &
SIM_PID=$!
wait_ready "$WORK/sim.out" "$SIM_PID" onshi-terminal-sim
build/plugin/sidecar/onshid --config "$WORK/onshid.conf" >"$WORK/onshid.out" 2>"$WORK/onshid.err" &
ONSHID_PID=$!
wait_ready "$WORK/onshid.out" "$ONSHID_PID" onshid

host() { build/sample_host/sample_host --socket "$WORK/run/onshid.sock" "$@"; }
visit() {  # title, then sample_host arguments
  echo
  echo "────────────────────────────────────────────────────────────────"
  echo "■ $1"
  shift
  local rc=0
  host "$@" || rc=$?
  echo "(sample_host exit $rc)"
}

DATE=20261123
visit "9:00 協会けんぽ本人、限度額の提供に同意、カルテ P0001 に記録" \
  check --insurer 01139013 --symbol 1001 --number 25 --branch 00 --birth 19800115 \
  --date $DATE --limit-consent --patient P0001
visit "9:05 同じ患者の再確認（記録に変更なし）" \
  check --insurer 01139013 --symbol 1001 --number 25 --branch 00 --birth 19800115 \
  --date $DATE --limit-consent --patient P0001
visit "9:10 後期高齢者（記号なし・1割）、限度額に同意" \
  check --insurer 39139019 --number 10000016 --birth 19450510 --date $DATE --limit-consent \
  --patient P0002
visit "9:15 70〜74歳（高齢受給者証 2割）" \
  check --insurer 06139992 --symbol 100 --number 5 --branch 00 --birth 19560301 --date $DATE
visit "9:20 国保（6桁の保険者番号、全角入力）" \
  check --insurer １３９０１４ --symbol 試験 --number 1234567 --birth 19700303 --date $DATE
visit "9:25 資格喪失済みの保険証（無効）" \
  check --insurer 06139984 --symbol 300 --number 41 --branch 00 --birth 19751203 --date $DATE
visit "9:30 該当資格なし（登録のない番号）" \
  check --insurer 01139013 --symbol 9999 --number 999 --branch 00 --birth 19900909 --date $DATE
visit "9:35 マイナンバーカードの電子証明書が3か月以内に期限切れ" \
  check --insurer 01139013 --symbol 7007 --number 71 --branch 00 --birth 19810707 --date $DATE
visit "9:40 保険者番号の入力ミス（検証番号が合わない）" \
  check --insurer 01139014 --symbol 1001 --number 25 --branch 00 --birth 19800115 --date $DATE
visit "9:45 端末が応答しない（3秒で未確認。確認したことにはしない）" \
  check --insurer 01139013 --symbol 8001 --number 1 --branch 00 --birth 19790101 --date $DATE
echo
echo "────────────────────────────────────────────────────────────────"
echo "■ カルテ P0001 の記録（JSON の先頭）"
host record --patient P0001 | head -c 1200
echo
echo
echo "== done; stopping onshid and the simulator"
