#!/usr/bin/env bash
# A clinic morning with onshi: installs what is missing, builds, starts the terminal simulator
# and onshid on a temporary folder, and plays the morning through sample_host with patients of
# the synthetic dataset only: the batch pre-check of today's appointments before opening,
# patients checking in at the card reader (the reception screen prints each one), individual
# checks at the window, a doctor reading consented medication history; then stops everything.
# ONSHI_BUILD_DIR chooses the build directory (default build/).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT_DIR=$(pwd)
BUILD=${ONSHI_BUILD_DIR:-build}

scripts/install-deps.sh
echo "== building onshid, onshi-terminal-sim, sample_host ($BUILD/)"
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j "${ONSHI_JOBS:-2}" --target onshid onshi-terminal-sim sample_host
SIM="$BUILD/adapters/terminal_sim/onshi-terminal-sim"

WORK=$(mktemp -d /tmp/onshi-demo.XXXXXX)
chmod 700 "$WORK"
SIM_PID=""
ONSHID_PID=""
RECEPTION_PID=""
cleanup() {
  [ -n "$RECEPTION_PID" ] && kill -TERM "$RECEPTION_PID" 2>/dev/null && wait "$RECEPTION_PID" 2>/dev/null
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

echo "== starting the terminal simulator (answers after ~300 ms, batch results after ~1.5 s) and onshid"
"$SIM" --root "$WORK/oqs" \
  --dataset "$ROOT_DIR/tests/data/sim/dataset.textproto" --institution 1310000016 \
  --latency-ms 300 --batch-processing-ms 1500 >"$WORK/sim.out" 2>"$WORK/sim.err" &
SIM_PID=$!
wait_ready "$WORK/sim.out" "$SIM_PID" onshi-terminal-sim
"$BUILD/plugin/sidecar/onshid" --config "$WORK/onshid.conf" >"$WORK/onshid.out" \
  2>"$WORK/onshid.err" &
ONSHID_PID=$!
wait_ready "$WORK/onshid.out" "$ONSHID_PID" onshid

# The clerk logged in to the billing software: every call carries this login id into onshi's
# audit log (never a name).
host() { "$BUILD/sample_host/sample_host" --socket "$WORK/run/onshid.sock" --user clerk01 "$@"; }
title() {
  echo
  echo "────────────────────────────────────────────────────────────────"
  echo "■ $1"
}
visit() {  # title, then sample_host arguments
  title "$1"
  shift
  local rc=0
  host "$@" || rc=$?
  echo "(sample_host exit $rc)"
}

# 8:30, before opening: today's appointments, checked in one batch and recorded into each
# patient. Synthetic dataset patients (tests/data/sim/dataset.textproto) under the clinic's own
# patient ids; the file format is in docs/batches.md.
cat >"$WORK/appointments.csv" <<'CSV'
patient_id,insurer,symbol,number,branch,birth,limit_consent
P0001,01139013,1001,25,00,19800115,1
P0002,39139019,,10000016,,19450510,1
P0003,06139992,100,5,00,19560301,0
P0004,06139984,300,41,00,19751203,0
P0005,31139017,501,1001,00,19700101,1
P0006,01139013,7007,71,00,19810707,0
CSV
visit "8:30 開院前: 本日の予約 6 名を一括照会（結果はカルテに記録）" \
  batch --file "$WORK/appointments.csv"

# 9:00, reception opens: patients put their My Number card on the reader and choose there what
# they consent to. The reception screen (sample_host reception) prints each check-in as it
# arrives and acknowledges it; it stops after the three below (or after 20 s without one).
title "9:00 受付開始: カードリーダーでの受付（受付画面 sample_host reception）"
host reception --count 3 --timeout-ms 20000 >"$WORK/reception.out" 2>&1 &
RECEPTION_PID=$!
checkin() {  # what the patient does, then onshi-terminal-sim checkin arguments
  echo "  カードリーダー: $1"
  shift
  "$SIM" checkin --root "$WORK/oqs" "$@" >/dev/null
}
checkin "P0001 さん、すべての情報提供に同意" --scenario valid-kyokai-honnin --consent all
checkin "P0002 さん、限度額情報のみ同意" --scenario kouki-1wari --consent limit
checkin "カルテのない初診の方" --unknown-person --consent limit,pharmacists
rc=0
wait "$RECEPTION_PID" || rc=$?
RECEPTION_PID=""
echo
cat "$WORK/reception.out"
echo "(sample_host reception exit $rc)"

DATE=20261123
visit "9:15 窓口（保険証で照会）: 協会けんぽ本人 P0001、限度額の提供に同意、カルテに記録" \
  check --insurer 01139013 --symbol 1001 --number 25 --branch 00 --birth 19800115 \
  --date $DATE --limit-consent --patient P0001
visit "9:20 同じ患者の再確認（記録に変更なし）" \
  check --insurer 01139013 --symbol 1001 --number 25 --branch 00 --birth 19800115 \
  --date $DATE --limit-consent --patient P0001
visit "9:25 後期高齢者（記号なし・1割）、限度額に同意" \
  check --insurer 39139019 --number 10000016 --birth 19450510 --date $DATE --limit-consent \
  --patient P0002
visit "9:30 70〜74歳（高齢受給者証 2割）" \
  check --insurer 06139992 --symbol 100 --number 5 --branch 00 --birth 19560301 --date $DATE
visit "9:35 国保（6桁の保険者番号、全角入力）" \
  check --insurer １３９０１４ --symbol 試験 --number 1234567 --birth 19700303 --date $DATE
visit "9:40 資格喪失済みの保険証（無効）" \
  check --insurer 06139984 --symbol 300 --number 41 --branch 00 --birth 19751203 --date $DATE
visit "9:45 該当資格なし（登録のない番号）" \
  check --insurer 01139013 --symbol 9999 --number 999 --branch 00 --birth 19900909 --date $DATE
visit "9:50 マイナンバーカードの電子証明書が3か月以内に期限切れ" \
  check --insurer 01139013 --symbol 7007 --number 71 --branch 00 --birth 19810707 --date $DATE
visit "9:55 保険者番号の入力ミス（検証番号が合わない）" \
  check --insurer 01139014 --symbol 1001 --number 25 --branch 00 --birth 19800115 --date $DATE
visit "10:00 端末が応答しない（3秒で未確認。確認したことにはしない）" \
  check --insurer 01139013 --symbol 8001 --number 1 --branch 00 --birth 19790101 --date $DATE \
  --patient P0010 --request-id demo-visit-p0010
visit "10:05 未確認の受診: 被保険者資格申立書を受け取り、回復後の再照会を待つ" \
  self-declare --visit demo-visit-p0010 --document 申立書 --insurer 01139013 --symbol 8001 \
  --number 1 --branch 00 --birth 19790101 --ratio 30
visit "10:10 70〜74歳の方を新しいカルテ P0011 に: 記録前に変更点を確認" \
  check --insurer 06139992 --symbol 100 --number 5 --branch 00 --birth 19560301 --date $DATE \
  --patient P0011 --preview-only --request-id demo-preview-p0011
visit "10:12 確認した内容をカルテ P0011 に記録（理由つき、新規作成）" \
  writeback --patient P0011 --source demo-preview-p0011 --reason 窓口で券面を確認 \
  --create-patient --yes
visit "10:14 P0002 さん（後期高齢者）の今月の自己負担限度額" cap --patient P0002
visit "10:14 P0001 さんの同意状況（閲覧期限つき）" consents --patient P0001

# 10:15, in the consultation room: the doctor reads the medication history the patient agreed
# at the card reader to share; without that consent the terminal refuses and nothing is shown.
visit "10:15 診察室: P0001 さんの薬剤情報（カードリーダーで同意済み）" \
  medication --patient P0001 --months 3
visit "10:20 診察室: P0002 さんの薬剤情報（薬剤情報には同意なし: 表示されないのが正しい）" \
  medication --patient P0002 --months 3
echo
echo "────────────────────────────────────────────────────────────────"
echo "■ カルテ P0001 の記録（JSON の先頭）"
host record --patient P0001 >"$WORK/record.json"
head -c 1200 "$WORK/record.json"
echo
echo
visit "月末: 資格確認のない受診（レセプト前の確認）" claims --month ${DATE:0:6}
echo
echo "■ 監査ログの検証（onshid audit-verify）"
"$BUILD/plugin/sidecar/onshid" audit-verify --config "$WORK/onshid.conf" || true
echo
echo "== done; stopping onshid and the simulator"
