#!/usr/bin/env bash
# Cluster figures on one machine, with real processes on loopback:
#   B6  device utilisation of a study on two trainer processes with two CPU devices each, 50 ms objectives;
#   F1  time from the kill -9 of the coordinator holding the singleton to the first trial dispatched by its successor.
# Usage: src/NasHpo.Benchmarks/cluster-figures.sh [EVALUATIONS]   (default 2000; builds the CLI first)
set -euo pipefail
evaluations="${1:-2000}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
dotnet build "$root/src/NasHpo.Cli" -c Release -v q -nologo >/dev/null
nashpo=(dotnet "$root/src/NasHpo.Cli/bin/Release/net10.0/nashpo.dll")
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
timings=(--set akka.cluster.split-brain-resolver.stable-after=2s --set akka.cluster.failure-detector.acceptable-heartbeat-pause=3s)

wait_for() { # file, text, seconds
  local deadline=$((SECONDS + $3))
  until grep -q -- "$2" "$1"; do
    if ((SECONDS > deadline)); then echo "timed out after $3 s waiting for \"$2\" in $1" >&2; tail -20 "$1" >&2; exit 1; fi
    sleep 0.05
  done
}
serve() { # name, args...
  local name="$1"; shift
  "${nashpo[@]}" serve --db "$work/journal.db" "${timings[@]}" "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  echo $!
}
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

a=$(port); b=$(port); t1=$(port); t2=$(port)
holder=$(serve coordinator-a --role coordinator --port "$a")
wait_for "$work/coordinator-a.log" "serving as coordinator" 60
serve coordinator-b --role coordinator --port "$b" --seed-nodes "akka.tcp://nashpo@127.0.0.1:$a" >/dev/null
wait_for "$work/coordinator-b.log" "serving as coordinator" 60
seeds="akka.tcp://nashpo@127.0.0.1:$a,akka.tcp://nashpo@127.0.0.1:$b"
serve trainer-1 --role trainer --port "$t1" --seed-nodes "$seeds" --devices cpu:0,cpu:1 >/dev/null
serve trainer-2 --role trainer --port "$t2" --seed-nodes "$seeds" --devices cpu:0,cpu:1 >/dev/null
wait_for "$work/coordinator-a.log" "the cluster has 4" 60

cat >"$work/b6.conf" <<CONF
study {
  seed = 1
  devices = 4
  problem { type = zdt1, dimensions = 10, delay = 50ms }
  optimizer { type = random }
  stop { max-evaluations = $evaluations }
}
CONF
"${nashpo[@]}" submit "$work/b6.conf" --cluster "127.0.0.1:$a" --study-id b6 >/dev/null
# The coordinator logs the study's end: polling `status` would start a .NET process every second on the machine whose
# devices are being measured.
wait_for "$work/coordinator-a.log" "study b6 finished" 900
"${nashpo[@]}" report b6 --cluster "127.0.0.1:$a" --out "$work/b6" >/dev/null
/usr/bin/python3 - "$work/b6/trials.csv" <<'PY'
import csv, sys
from datetime import datetime
rows = list(csv.DictReader(open(sys.argv[1])))
t = lambda s: datetime.fromisoformat(s)
start = min(t(r["started_at"]) for r in rows)
end = max(t(r["finished_at"]) for r in rows)
busy = sum(float(r["duration_s"]) for r in rows)
devices = sorted({r["device"] for r in rows})
wall = (end - start).total_seconds()
print(f"B6: {len(rows)} evaluations of 50 ms on {len(devices)} devices of 2 trainer processes: wall {wall:.1f} s, "
      f"devices busy {100 * busy / (len(devices) * wall):.1f} % of the wall time")
PY

cat >"$work/failover.conf" <<CONF
study {
  seed = 2
  devices = 4
  problem { type = zdt1, dimensions = 10, delay = 500ms }
  optimizer { type = random }
  stop { max-evaluations = 40 }
}
CONF
"${nashpo[@]}" submit "$work/failover.conf" --cluster "127.0.0.1:$a" --study-id failover >/dev/null
sleep 2
killed=$(date +%s.%N)
kill -9 "$holder"
wait_for "$work/coordinator-b.log" "study failover: recovered" 120
dispatched=$(date +%s.%N)
python3 -c "print(f'F1: from the kill -9 of the singleton holder to its successor dispatching the study again: {$dispatched - $killed:.1f} s (failure detection 3 s + stable-after 2 s + removal + hand-over)')"
until "${nashpo[@]}" status failover --cluster "127.0.0.1:$b" --json | grep -q '"state":"finished"'; do sleep 1; done
"${nashpo[@]}" status failover --cluster "127.0.0.1:$b"
