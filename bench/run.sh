#!/usr/bin/env bash
# The hub's speed figures, end to end: builds the hub and the load program,
# seeds a data folder with REFERRALS synthetic referrals, starts
# `bin/hub serve` on loopback, drives it with bench/load (a partner reading
# referrals, a partner's inbox, officers creating referrals, a supervisor's
# outcomes figures), reads the server's memory and CPU time, and stops the
# hub. Then it does the same to bench/floor on the same file (Echo, the same
# rows read, one durable insert per request, nothing else of the hub) and
# prints every figure of issue 17 beside the floor's and beside its
# target, with the hub's share of the floor. The outcomes page (a signed-in
# browser's) and JSON are also timed through the real router by the Go
# benchmark BenchmarkOutcomes100k on a store of the same size. Nothing is
# left running.
#
#   bench/run.sh                          # 100,000 referrals in a fresh folder
#   REFERRALS=5000 DURATION=10s bench/run.sh
#   DATA=/var/tmp/hub-bench bench/run.sh  # keep the folder; seeded only when empty
#   PG_URL=postgres://u:p@127.0.0.1:5432/hub_bench?sslmode=disable bench/run.sh
#                                         # and the same again on PostgreSQL
#
# PG_URL is the hook for the PostgreSQL column: it names an empty database;
# the hub then runs with HUB_DATABASE_URL=$PG_URL (seeded first) and the floor with
# -database-url $PG_URL, and a second table is printed. Both need the
# PostgreSQL backend (issue 15); until bench/floor has -database-url the
# floor's column is left empty.
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

# measure runs every scenario on one database, named $1 (sqlite or
# postgres), against the hub and then the floor, and prints the table.
# The hub's database is HUB_DATABASE_URL ("" for SQLite under $DATA); $2
# is the floor's database argument.
measure() {
	local db=$1 floor_db=$2 start
	if [ "$db" = postgres ] || [ ! -f "$DATA/hub.db" ]; then
		start=$(date +%s)
		bin/hub demo seed --referrals "$REFERRALS"
		echo "seed ($db): $REFERRALS referrals in $(($(date +%s) - start))s"
	fi

	bin/hub serve >"$DATA/serve-$db.log" 2>&1 &
	PID=$!
	await "$PORT" || { echo "the hub did not start:"; cat "$DATA/serve-$db.log"; exit 1; }
	echo "hub ($db) serving on 127.0.0.1:$PORT"
	scenarios hub "$PORT" "$(bin/hub dev token victim-support)" "$(bin/hub dev token officer)"

	# The outcomes figures for the last 12 months, all agencies, as JSON,
	# read afresh on each request (there is no cache to miss).
	local supervisor times=() i from
	supervisor=$(bin/hub dev token supervisor)
	for i in 0 1 2 3 4 5 6 7 8 9 10; do
		from=$(date -u -d "$((365 + i)) days ago" +%F)
		times+=("$(curl -fs -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $supervisor" \
			"http://127.0.0.1:$PORT/api/v1/reports/outcomes?from=$from&to=$(date -u +%F)")")
	done
	OUTCOMES=$(printf '%s\n' "${times[@]:1}" | sort -n | awk '{ t[NR] = $1 * 1000 } END { printf "%.0f %.0f", t[int((NR + 1) / 2)], t[NR] }')
	stop

	if [ -n "$floor_db" ]; then
		# shellcheck disable=SC2086 # the floor's database argument is a flag and its value
		bin/floor $floor_db -listen "127.0.0.1:$FLOOR_PORT" >"$DATA/floor-$db.log" 2>&1 &
		PID=$!
		await "$FLOOR_PORT" || { echo "the floor did not start:"; cat "$DATA/floor-$db.log"; exit 1; }
		echo "floor ($db) serving on 127.0.0.1:$FLOOR_PORT"
		scenarios floor "$FLOOR_PORT" floor floor
		stop
	else
		echo "floor ($db): not run (bench/floor has no -database-url yet)"
		for s in get32 get1000 inbox4 inbox16 create16; do RPS[floor.$s]=0 P99[floor.$s]=0 CPU[floor.$s]=0; done
		RSS[floor]=- HWM[floor]=-
	fi
	report "$db"
}

# report prints the figures of one database beside the floor's and the
# issue's targets: the rates, p99s and CPU per request of the scenarios,
# the outcomes JSON and resident memory.
report() {
	echo
	echo "== $1: $REFERRALS referrals; machine: $(nproc) cores, load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
	# ratio is the hub's rate over the floor's; cpu_ratio the floor's CPU per
	# request over the hub's, which moves less with what else the machine
	# runs (the two phases are minutes apart).
	printf '%-10s %8s %9s %6s %8s %9s %10s %12s %9s\n' scenario hub_rps floor_rps ratio hub_p99 floor_p99 hub_cpu_ms floor_cpu_ms cpu_ratio
	for s in get32 get1000 inbox4 inbox16 create16; do
		awk -v s="$s" -v h="${RPS[hub.$s]}" -v f="${RPS[floor.$s]}" -v hp="${P99[hub.$s]}" -v fp="${P99[floor.$s]}" -v hc="${CPU[hub.$s]}" -v fc="${CPU[floor.$s]}" \
			'BEGIN { printf "%-10s %8.0f %9.0f %6.2f %8.1f %9.1f %10.2f %12.2f %9.2f\n", s, h, f, (f > 0 ? h / f : 0), hp, fp, hc, fc, (hc > 0 ? fc / hc : 0) }'
	done
	local median slowest
	read -r median slowest <<<"$OUTCOMES"
	echo
	echo "issue 17's targets ($1):"
	awk -v g="${RPS[hub.get32]}" -v f="${RPS[floor.get32]}" -v p="${P99[hub.get1000]}" -v r="${RPS[hub.get1000]}" -v c="${CPU[hub.get32]}" \
		-v cr="${RPS[hub.create16]}" -v ip="${P99[hub.inbox16]}" -v om="$median" -v os="$slowest" -v rss="${RSS[hub]}" -v hwm="${HWM[hub]}" '
		function row(name, got, target, met) { printf "  %-44s %-24s %-12s %s\n", name, got, target, (met ? "met" : "NOT met") }
		BEGIN {
			row("partner GET, 32 clients", sprintf("%.0f/s", g), ">= 2,500/s", g >= 2500)
			row("partner GET held at 1,000/s: p99", sprintf("%.1f ms at %.0f/s", p, r), "<= 25 ms", p <= 25 && r >= 990)
			row("partner GET, share of the floor rate", (f > 0 ? sprintf("%.2f", g / f) : "no floor"), ">= 0.5", f > 0 && g / f >= 0.5)
			row("server CPU per GET (32 clients)", sprintf("%.2f ms", c), "<= 0.4 ms", c <= 0.4)
			row("create, 16 clients, durable", sprintf("%.0f/s", cr), ">= 500/s", cr >= 500)
			row("outcomes JSON, 12 months (median/slowest)", sprintf("%d/%d ms", om, os), "<= 100 ms", os <= 100)
			row("inbox of 50, 16 clients: p99", sprintf("%.1f ms", ip), "<= 20 ms", ip <= 20)
			row("resident memory (VmRSS/peak)", sprintf("%s/%s MB", rss, hwm), "<= 100 MB", hwm <= 100)
		}'
	echo "resident memory MB (VmRSS / peak VmHWM): hub ${RSS[hub]} / ${HWM[hub]}, floor ${RSS[floor]} / ${HWM[floor]}"
}

measure sqlite "-db $DATA/hub.db"

if [ -n "${PG_URL:-}" ]; then
	floor_db=""
	if bin/floor -h 2>&1 | grep -q -- -database-url; then floor_db="-database-url $PG_URL"; fi
	HUB_DATABASE_URL="$PG_URL" measure postgres "$floor_db"
fi

# The outcomes page and JSON through the real router, and the same figures
# worked out in full as before the counters, on a store of the same size
# (seeded straight into its tables: quicker than the demo history).
echo
echo "outcomes through the router (Go benchmark, $REFERRALS referrals, ms and CPU ms per request):"
HUB_BENCH_REFERRALS=$REFERRALS go test ./internal/store -run '^$' -bench 'Outcomes100k' -benchtime 10x 2>&1 |
	awk '/^BenchmarkOutcomes100k\// { name = $1; sub(/^BenchmarkOutcomes100k\//, "", name); sub(/-[0-9]+$/, "", name)
		printf "  %-28s %8.1f ms %8.1f cpu-ms %s\n", name, $3 / 1e6, $5 / 1000, (name ~ /^(page|json)/ ? ($3 / 1e6 <= 100 ? "(<= 100 ms: met)" : "(<= 100 ms: NOT met)") : "") }'
