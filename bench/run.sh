#!/usr/bin/env bash
# The hub's speed figures, end to end: builds the hub and the load program,
# seeds a data folder with REFERRALS synthetic referrals, starts
# `bin/hub serve` on loopback, drives it with bench/load (a partner reading
# referrals, a partner's inbox, officers creating referrals, a supervisor's
# outcomes figures), reads the server's memory and CPU time, and stops the
# hub. Then it does the same to bench/floor on the same file (Echo, the same
# rows read, one durable insert per request, nothing else of the hub) and
# prints every figure beside the floor's, with the hub's share of it.
# Then, unless POSTGRES=0, the same scenarios against PostgreSQL: a fresh
# database holding a copy of the SQLite hub's data (`hub copy-from-sqlite`),
# served by one replica and then by two (the load sent to each in turn, as a
# load balancer does).
# Nothing is left running, and the database it made is dropped.
#
#   bench/run.sh                          # 100,000 referrals in a fresh folder
#   REFERRALS=5000 DURATION=10s bench/run.sh
#   DATA=/var/tmp/hub-bench bench/run.sh  # keep the folder; seeded only when empty
#   POSTGRES=0 bench/run.sh               # SQLite and the floor only
#   PG_ADMIN_URL=postgres://admin@db/postgres bench/run.sh  # a role with CREATEDB
#   PG_URL=postgres://hub@db/hub_bench bench/run.sh  # an existing database, kept; copied into only when empty
set -euo pipefail
cd "$(dirname "$0")/.."

REFERRALS=${REFERRALS:-100000}
PORT=${PORT:-18480}
FLOOR_PORT=${FLOOR_PORT:-$((PORT + 1))}
PG_PORT=${PG_PORT:-$((PORT + 2))}     # and PG_PORT + 1 for the second replica
POSTGRES=${POSTGRES:-1}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://hub_test:hub_test@127.0.0.1:5432/postgres?sslmode=disable}
PG_DROP=""
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

# A folder kept from an older hub is brought up to this schema first: a
# migration that refills counters can take longer than the wait for /readyz.
bin/hub migrate >/dev/null

TICK=$(getconf CLK_TCK)
# PIDS are the servers under load: one hub, the floor, or two replicas.
PIDS=()
stop() {
	local pid
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	PIDS=()
}
cleanup() {
	stop
	if [ -n "$PG_DROP" ]; then psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $PG_DROP WITH (FORCE)" >/dev/null || true; fi
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

# cpu is the servers' CPU time so far, in clock ticks, all replicas together.
cpu() {
	local pid total=0
	for pid in "${PIDS[@]}"; do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done
	echo "$total"
}

declare -A RPS P99 CPU
# load runs one scenario, named $1, against the URL(s) $2 and keeps its
# rate, p99 and the servers' CPU time per request sent.
load() {
	local name=$1 urls=$2 before after out sent
	shift 2
	before=$(cpu)
	out=$(bin/load -url "$urls" -duration "$DURATION" "$@")
	after=$(cpu)
	sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' <<<"$out" | tail -1)
	RPS[$name]=$(sed -n 's/.* rps=\([0-9.]*\).*/\1/p' <<<"$out" | tail -1)
	P99[$name]=$(sed -n 's/.* p99_ms=\([0-9.]*\).*/\1/p' <<<"$out" | tail -1)
	CPU[$name]=$(awk -v t="$((after - before))" -v hz="$TICK" -v n="$sent" 'BEGIN { printf "%.2f", t * 1000 / hz / n }')
	echo "$name: $(tail -1 <<<"$out") server_cpu_ms_per_request=${CPU[$name]}"
}

# scenarios drives the server(s) at the URL(s) $2 as $1 (hub, floor, pg1,
# pg2) with the tokens $3 (partner) and $4 (officer).
scenarios() {
	local who=$1 urls=$2 partner=$3 officer=$4
	# A partner reading referrals: as fast as 32 clients go, then held at the
	# target rate of 1,000 a second.
	load "$who.get32" "$urls" -token "$partner" -scenario get -workers 32
	load "$who.get1000" "$urls" -token "$partner" -scenario get -workers 64 -rate 1000
	# A partner's inbox, first page of 50: a few clients at once, then many.
	load "$who.inbox4" "$urls" -token "$partner" -scenario inbox -workers 4
	load "$who.inbox16" "$urls" -token "$partner" -scenario inbox -workers 16
	# Officers creating referrals.
	load "$who.create16" "$urls" -token "$officer" -scenario create -workers 16
	local pid rss=() hwm=()
	for pid in "${PIDS[@]}"; do
		rss+=("$(awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")")
		hwm+=("$(awk '/^VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")")
	done
	RSS[$who]=$(IFS=+; echo "${rss[*]}")
	HWM[$who]=$(IFS=+; echo "${hwm[*]}")
}
declare -A RSS HWM

bin/hub serve >"$DATA/serve.log" 2>&1 &
PIDS=($!)
await "$PORT" || { echo "the hub did not start:"; cat "$DATA/serve.log"; exit 1; }
echo "hub serving on 127.0.0.1:$PORT"
scenarios hub "http://127.0.0.1:$PORT" "$(bin/hub dev token victim-support)" "$(bin/hub dev token officer)"

# The outcomes figures for the last 12 months, all agencies, as JSON, read
# afresh on each request (there is no cache to miss): each request a period
# a day longer.
SUPERVISOR=$(bin/hub dev token supervisor)
times=()
for i in 0 1 2 3 4 5 6 7 8 9 10; do
	from=$(date -u -d "$((365 + i)) days ago" +%F)
	times+=("$(curl -fs -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $SUPERVISOR" \
		"http://127.0.0.1:$PORT/api/v1/reports/outcomes?from=$from&to=$(date -u +%F)")")
done
OUTCOMES=$(printf '%s\n' "${times[@]:1}" | sort -n | awk '{ t[NR] = $1 * 1000 } END { printf "%.0f %.0f", t[int((NR + 1) / 2)], t[NR] }')
read -r OUT_MEDIAN OUT_SLOWEST <<<"$OUTCOMES"
echo "outcomes JSON, 12 months, all agencies (10 fresh requests after one to warm): median $OUT_MEDIAN ms, slowest $OUT_SLOWEST ms"
stop

# The floor on the same file.
bin/floor -db "$DATA/hub.db" -listen "127.0.0.1:$FLOOR_PORT" >"$DATA/floor.log" 2>&1 &
PIDS=($!)
await "$FLOOR_PORT" || { echo "the floor did not start:"; cat "$DATA/floor.log"; exit 1; }
echo "floor serving on 127.0.0.1:$FLOOR_PORT"
scenarios floor "http://127.0.0.1:$FLOOR_PORT" floor floor
stop

# PostgreSQL: the same scenarios, with one replica and then two sharing the
# database and a data folder (keys, development provider). Both replicas
# have the first's base URL, as replicas behind one address do.
SCENARIOS=(hub floor)
if [ "$POSTGRES" != 0 ]; then
	if [ -z "${PG_URL:-}" ]; then
		PG_DROP="hub_bench_$$"
		psql -q "$PG_ADMIN_URL" -c "CREATE DATABASE $PG_DROP" >/dev/null
		PG_URL=$(sed -E "s|/[^/?]*(\?.*)?$|/$PG_DROP\1|" <<<"$PG_ADMIN_URL")
	fi
	mkdir -p "$DATA/pg"
	pgenv=(HUB_DATABASE_URL="$PG_URL" HUB_DATA_DIR="$DATA/pg" HUB_SERVER_BASE_URL="http://127.0.0.1:$PG_PORT")
	env "${pgenv[@]}" bin/hub migrate >/dev/null
	if [ "$(psql -tA "$PG_URL" -c 'SELECT COUNT(*) FROM referrals')" = 0 ]; then
		# The SQLite hub's data as it now is, with the keys that sealed it:
		# both backends serve the same referrals, and a copy takes minutes
		# where a seed through the store's paths takes most of an hour.
		rm -rf "$DATA/pg/keys"
		cp -a "$DATA/keys" "$DATA/audit-signing.key" "$DATA/audit-signing.key.pub" "$DATA/pg/"
		start=$(date +%s)
		env "${pgenv[@]}" bin/hub copy-from-sqlite "$DATA/hub.db" >"$DATA/pg/copy.log" 2>&1 || { cat "$DATA/pg/copy.log"; exit 1; }
		echo "copy into PostgreSQL: $(psql -tA "$PG_URL" -c 'SELECT COUNT(*) FROM referrals') referrals in $(($(date +%s) - start))s"
	fi
	PG_PARTNER=$(env "${pgenv[@]}" bin/hub dev token victim-support)
	PG_OFFICER=$(env "${pgenv[@]}" bin/hub dev token officer)
	# replica starts one more replica on port $1.
	replica() {
		env "${pgenv[@]}" HUB_LISTEN="127.0.0.1:$1" bin/hub serve >"$DATA/pg/serve-$1.log" 2>&1 &
		PIDS+=($!)
		await "$1" || { echo "the replica on $1 did not start:"; cat "$DATA/pg/serve-$1.log"; exit 1; }
	}
	replica "$PG_PORT"
	echo "one replica on PostgreSQL serving on 127.0.0.1:$PG_PORT"
	scenarios pg1 "http://127.0.0.1:$PG_PORT" "$PG_PARTNER" "$PG_OFFICER"
	replica "$((PG_PORT + 1))"
	echo "two replicas on PostgreSQL serving on 127.0.0.1:$PG_PORT and :$((PG_PORT + 1))"
	scenarios pg2 "http://127.0.0.1:$PG_PORT,http://127.0.0.1:$((PG_PORT + 1))" "$PG_PARTNER" "$PG_OFFICER"
	stop
	SCENARIOS+=(pg1 pg2)
fi

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
if [ "$POSTGRES" != 0 ]; then
	echo
	echo "SQLite (one hub) beside PostgreSQL (one replica, two replicas); hub CPU is the replicas' together, the PostgreSQL server's own is not counted"
	printf '%-10s %10s %8s %8s %10s %8s %8s %13s %9s %9s\n' scenario sqlite_rps pg1_rps pg2_rps sqlite_p99 pg1_p99 pg2_p99 sqlite_cpu_ms pg1_cpu_ms pg2_cpu_ms
	for s in get32 get1000 inbox4 inbox16 create16; do
		awk -v s="$s" -v a="${RPS[hub.$s]}" -v b="${RPS[pg1.$s]}" -v c="${RPS[pg2.$s]}" -v ap="${P99[hub.$s]}" -v bp="${P99[pg1.$s]}" -v cp="${P99[pg2.$s]}" \
			-v ac="${CPU[hub.$s]}" -v bc="${CPU[pg1.$s]}" -v cc="${CPU[pg2.$s]}" \
			'BEGIN { printf "%-10s %10.0f %8.0f %8.0f %10.1f %8.1f %8.1f %13.2f %9.2f %9.2f\n", s, a, b, c, ap, bp, cp, ac, bc, cc }'
	done
fi
echo "outcomes JSON (hub; the floor has no figures): median $OUT_MEDIAN ms, slowest $OUT_SLOWEST ms"
echo -n "resident memory MB (VmRSS / peak VmHWM):"
for who in "${SCENARIOS[@]}"; do echo -n " $who ${RSS[$who]} / ${HWM[$who]};"; done
echo

# Issue 17's targets, each beside the figure measured on SQLite.
echo
echo "issue 17's targets (SQLite, $REFERRALS referrals):"
awk -v g="${RPS[hub.get32]}" -v f="${RPS[floor.get32]}" -v p="${P99[hub.get1000]}" -v r="${RPS[hub.get1000]}" -v c="${CPU[hub.get32]}" \
	-v cr="${RPS[hub.create16]}" -v ip="${P99[hub.inbox16]}" -v om="$OUT_MEDIAN" -v os="$OUT_SLOWEST" -v rss="${RSS[hub]}" -v hwm="${HWM[hub]}" '
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

# The outcomes page and JSON through the real router, and the same figures
# worked out in full as before the counters, on a store of the same size
# (seeded straight into its tables: quicker than the demo history).
echo
echo "outcomes through the router (Go benchmark, $REFERRALS referrals, ms and CPU ms per request):"
HUB_BENCH_REFERRALS=$REFERRALS go test ./internal/store -run '^$' -bench 'Outcomes100k' -benchtime 10x 2>&1 |
	awk '/^BenchmarkOutcomes100k\// { name = $1; sub(/^BenchmarkOutcomes100k\//, "", name); sub(/-[0-9]+$/, "", name)
		printf "  %-28s %8.1f ms %8.1f cpu-ms %s\n", name, $3 / 1e6, $5 / 1000, (name ~ /^(page|json)/ ? ($3 / 1e6 <= 100 ? "(<= 100 ms: met)" : "(<= 100 ms: NOT met)") : "") }'
