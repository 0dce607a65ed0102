#!/usr/bin/env bash
# The hub's speed figures, end to end: builds the hub and the load program,
# seeds a data folder with REFERRALS synthetic referrals, starts
# `bin/hub serve` on loopback, drives it with bench/load (a partner reading
# referrals, a partner's inbox, officers creating referrals, a supervisor's
# outcomes figures), reads the server's memory and CPU time, and stops the
# hub. Then it does the same to bench/floor on the same file (Echo, the same
# rows read, one durable insert per request, nothing else of the hub) and
# prints every figure beside the floor's, with the hub's share of it.
# Nothing is left running.
#
#   bench/run.sh                          # 100,000 referrals in a fresh folder
#   REFERRALS=5000 DURATION=10s bench/run.sh
#   DATA=/var/tmp/hub-bench bench/run.sh  # keep the folder; seeded only when empty
set -euo pipefail
cd "$(dirname "$0")/.."

REFERRALS=${REFERRALS:-100000}
PORT=${PORT:-18480}
FLOOR_PORT=${FLOOR_PORT:-$((PORT + 1))}
DURATION=${DURATION:-20s}
CLEAN=""
if [ -z "${DATA:-}" ]; then
	DATA=$(mktemp -d)
	CLEAN=1
fi
export HUB_DATA_DIR="$DATA" HUB_LISTEN="127.0.0.1:$PORT" HUB_SERVER_AGENCIES="$PWD/agencies"

make build >/dev/null
go build -o bin/load ./bench/load
go build -o bin/floor ./bench/floor

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ ! -f "$DATA/hub.db" ]; then
	start=$(date +%s)
	bin/hub demo seed --referrals "$REFERRALS"
	echo "seed: $REFERRALS referrals in $(($(date +%s) - start))s"
fi

TICK=$(getconf CLK_TCK)
PID=""
stop() {
	if [ -n "$PID" ]; then
		kill "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
	fi
	PID=""
}
cleanup() {
	stop
	if [ -n "$CLEAN" ]; then rm -rf "$DATA"; fi
}
trap cleanup EXIT

# await waits for a server on port $1 to answer /readyz.
await() {
	for _ in $(seq 100); do
		if curl -fs "http://127.0.0.1:$1/readyz" >/dev/null; then return 0; fi
		sleep 0.1
	done
	curl -fs "http://127.0.0.1:$1/readyz" >/dev/null
}

# cpu is the server's CPU time so far, in clock ticks.
cpu() { awk '{print $14 + $15}' "/proc/$PID/stat"; }

declare -A RPS P99 CPU
# load runs one scenario, named $1, against port $2 and keeps its rate, p99
# and the server's CPU time per request sent.
load() {
	local name=$1 port=$2 before after out sent
	shift 2
	before=$(cpu)
	out=$(bin/load -url "http://127.0.0.1:$port" -duration "$DURATION" "$@")
	after=$(cpu)
	sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' <<<"$out" | tail -1)
	RPS[$name]=$(sed -n 's/.* rps=\([0-9.]*\).*/\1/p' <<<"$out" | tail -1)
	P99[$name]=$(sed -n 's/.* p99_ms=\([0-9.]*\).*/\1/p' <<<"$out" | tail -1)
	CPU[$name]=$(awk -v t="$((after - before))" -v hz="$TICK" -v n="$sent" 'BEGIN { printf "%.2f", t * 1000 / hz / n }')
	echo "$name: $(tail -1 <<<"$out") server_cpu_ms_per_request=${CPU[$name]}"
}

# scenarios drives the server on port $2 as $1 (hub or floor) with the
# tokens $3 (partner) and $4 (officer).
scenarios() {
	local who=$1 port=$2 partner=$3 officer=$4
	# A partner reading referrals: as fast as 32 clients go, then held at the
	# target rate of 1,000 a second.
	load "$who.get32" "$port" -token "$partner" -scenario get -workers 32
	load "$who.get1000" "$port" -token "$partner" -scenario get -workers 64 -rate 1000
	# A partner's inbox, first page of 50: a few clients at once, then many.
	load "$who.inbox4" "$port" -token "$partner" -scenario inbox -workers 4
	load "$who.inbox16" "$port" -token "$partner" -scenario inbox -workers 16
	# Officers creating referrals.
	load "$who.create16" "$port" -token "$officer" -scenario create -workers 16
	RSS[$who]=$(awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$PID/status")
	HWM[$who]=$(awk '/^VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$PID/status")
}
declare -A RSS HWM

bin/hub serve >"$DATA/serve.log" 2>&1 &
PID=$!
await "$PORT" || { echo "the hub did not start:"; cat "$DATA/serve.log"; exit 1; }
echo "hub serving on 127.0.0.1:$PORT"
scenarios hub "$PORT" "$(bin/hub dev token victim-support)" "$(bin/hub dev token officer)"

# The outcomes figures for the last 12 months, all agencies, as JSON: each
# request a period a day longer, so that no cache can answer.
SUPERVISOR=$(bin/hub dev token supervisor)
times=()
for i in 0 1 2 3 4 5; do
	from=$(date -u -d "$((365 + i)) days ago" +%F)
	times+=("$(curl -fs -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $SUPERVISOR" \
		"http://127.0.0.1:$PORT/api/v1/reports/outcomes?from=$from&to=$(date -u +%F)")")
done
OUTCOMES=$(printf '%s\n' "${times[@]:1}" | sort -n | awk '{ t[NR] = $1 * 1000 } END { printf "median %.0f ms, slowest %.0f ms", t[int((NR + 1) / 2)], t[NR] }')
echo "outcomes JSON, 12 months, all agencies (5 fresh requests after one to warm): $OUTCOMES"
stop

# The floor on the same file. (PostgreSQL: when the hub has that backend,
# a second floor and hub run against it go here, printed the same way.)
bin/floor -db "$DATA/hub.db" -listen "127.0.0.1:$FLOOR_PORT" >"$DATA/floor.log" 2>&1 &
PID=$!
await "$FLOOR_PORT" || { echo "the floor did not start:"; cat "$DATA/floor.log"; exit 1; }
echo "floor serving on 127.0.0.1:$FLOOR_PORT"
scenarios floor "$FLOOR_PORT" floor floor
stop

echo
echo "machine: $(nproc) cores, load average after: $(cut -d' ' -f1-3 /proc/loadavg), database $(du -sh "$DATA/hub.db" | cut -f1)"
# ratio is the hub's rate over the floor's; cpu_ratio the floor's CPU per
# request over the hub's, which moves less with what else the machine runs
# (the two phases are minutes apart).
printf '%-10s %8s %9s %6s %8s %9s %10s %12s %9s\n' scenario hub_rps floor_rps ratio hub_p99 floor_p99 hub_cpu_ms floor_cpu_ms cpu_ratio
for s in get32 get1000 inbox4 inbox16 create16; do
	awk -v s="$s" -v h="${RPS[hub.$s]}" -v f="${RPS[floor.$s]}" -v hp="${P99[hub.$s]}" -v fp="${P99[floor.$s]}" -v hc="${CPU[hub.$s]}" -v fc="${CPU[floor.$s]}" \
		'BEGIN { printf "%-10s %8.0f %9.0f %6.2f %8.1f %9.1f %10.2f %12.2f %9.2f\n", s, h, f, (f > 0 ? h / f : 0), hp, fp, hc, fc, (hc > 0 ? fc / hc : 0) }'
done
echo "outcomes JSON (hub; the floor has no figures): $OUTCOMES"
echo "resident memory MB (VmRSS / peak VmHWM): hub ${RSS[hub]} / ${HWM[hub]}, floor ${RSS[floor]} / ${HWM[floor]}"
