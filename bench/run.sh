#!/usr/bin/env bash
# The hub's speed figures, end to end: builds the hub and the load program,
# seeds a data folder with REFERRALS synthetic referrals, starts
# `bin/hub serve` on loopback, drives it with bench/load (a partner reading
# referrals, a partner's inbox, officers creating referrals), reads the
# server's memory and CPU time, and stops the hub. Nothing is left running.
#
#   bench/run.sh                          # 100,000 referrals in a fresh folder
#   REFERRALS=5000 DURATION=10s bench/run.sh
#   DATA=/var/tmp/hub-bench bench/run.sh  # keep the folder; seeded only when empty
set -euo pipefail
cd "$(dirname "$0")/.."

REFERRALS=${REFERRALS:-100000}
PORT=${PORT:-18480}
DURATION=${DURATION:-20s}
CLEAN=""
if [ -z "${DATA:-}" ]; then
	DATA=$(mktemp -d)
	CLEAN=1
fi
export HUB_DATA_DIR="$DATA" HUB_LISTEN="127.0.0.1:$PORT" HUB_SERVER_AGENCIES="$PWD/agencies"

make build >/dev/null
go build -o bin/load ./bench/load

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ ! -f "$DATA/hub.db" ]; then
	start=$(date +%s)
	bin/hub demo seed --referrals "$REFERRALS"
	echo "seed: $REFERRALS referrals in $(($(date +%s) - start))s"
fi

bin/hub serve >"$DATA/serve.log" 2>&1 &
PID=$!
cleanup() {
	kill "$PID" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
	if [ -n "$CLEAN" ]; then rm -rf "$DATA"; fi
}
trap cleanup EXIT
for _ in $(seq 100); do
	if curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null; then break; fi
	sleep 0.1
done
curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null || { echo "the hub did not start:"; cat "$DATA/serve.log"; exit 1; }
echo "serving on 127.0.0.1:$PORT"

PARTNER=$(bin/hub dev token victim-support)
OFFICER=$(bin/hub dev token officer)
TICK=$(getconf CLK_TCK)

# cpu is the server's CPU time so far, in clock ticks.
cpu() { awk '{print $14 + $15}' "/proc/$PID/stat"; }

# load runs one scenario and adds the server's CPU time per request sent.
load() {
	local before after out sent
	before=$(cpu)
	out=$(bin/load -url "http://127.0.0.1:$PORT" -duration "$DURATION" "$@")
	after=$(cpu)
	sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' <<<"$out" | tail -1)
	echo "$out" | tail -1 | tr '\n' ' '
	awk -v t="$((after - before))" -v hz="$TICK" -v n="$sent" 'BEGIN { printf "server_cpu_ms_per_request=%.2f\n", t * 1000 / hz / n }'
}

# A partner reading referrals: as fast as 32 clients go, then held at the
# target rate of 1,000 a second.
load -token "$PARTNER" -scenario get -workers 32
load -token "$PARTNER" -scenario get -workers 64 -rate 1000
# A partner's inbox, first page of 50: a few clients at once, then many.
load -token "$PARTNER" -scenario inbox -workers 4
load -token "$PARTNER" -scenario inbox -workers 16
# Officers creating referrals.
load -token "$OFFICER" -scenario create -workers 16
grep -E '^(VmRSS|VmHWM)' "/proc/$PID/status" | tr -s ' \t' ' '
echo "database: $(du -sh "$DATA/hub.db" | cut -f1), load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
