#!/usr/bin/env bash
# Scans the same N loopback targets with smbsign and with nmap's smb2-security-mode in one run, against the
# loopback SMB responder (bench/SmbSign.Benchmarks `responder`), and prints targets/s for both and the ratio.
# Then a memory check: smbsign scanning 65,536 targets (127.1.0.0/16) with flat memory, peak RSS reported.
# All traffic stays on 127.0.0.0/8. Usage: bench/scan-vs-nmap.sh [N=16384] [PORT=44445]
# Default N is 16384: smbsign's CLI startup is ~0.2-0.3 s, which dominates small runs (at N=256 the ratio measures
# startup, not scanning); at 16384 smbsign runs ~3 s and nmap ~30 s. The responder holds one listening socket per
# address, so N is lowered to the largest power of two that fits the open-file limit (`ulimit -Hn`) with room to spare.
# Before the timed runs one untimed smbsign pass warms the responder (JIT, first connections), which would otherwise
# be charged to whichever tool runs first. The responder runs with inline socket completions
# (continuations on the epoll thread, no thread-pool hop): it is the CPU-bound shared fixture on a 2-core box, and this
# cut its CPU per warm 8192-target run from ~1.6 s to ~1.1 s.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-16384}
PORT=${2:-44445}
MEMPORT=$((PORT + 1))
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# N targets as a CIDR block of 127.77.0.0 (N must be a power of two between 2 and 65536).
bits=0; while (( (1 << bits) < N )); do bits=$((bits + 1)); done
hard=$(ulimit -Hn); [[ "$hard" == unlimited ]] && hard=1048576
while (( bits > 1 && (1 << bits) + 2048 > hard )); do bits=$((bits - 1)); done
if (( (1 << bits) < N )); then echo "note: open-file limit $hard: N lowered to $((1 << bits))"; fi
N=$((1 << bits)); BLOCK="127.77.0.0/$((32 - bits))"

dotnet build src/SmbSign.Cli -c Release -nologo -v q >/dev/null
dotnet build bench/SmbSign.Benchmarks -c Release -nologo -v q >/dev/null
SMBSIGN="dotnet src/SmbSign.Cli/bin/Release/net10.0/smbsign.dll"
RESPONDER="env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet bench/SmbSign.Benchmarks/bin/Release/net10.0/SmbSign.Benchmarks.dll responder"

ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

$RESPONDER "$BLOCK" "$PORT" > /tmp/smbsign-bench-responder.log 2>&1 & pids+=($!)
for _ in $(seq 100); do grep -q listening /tmp/smbsign-bench-responder.log 2>/dev/null && break; sleep 0.1; done
# Warm the responder (its JIT and first-connection costs) with one untimed pass, so neither timed tool pays for it:
# smbsign runs first and would otherwise carry all of it.
$SMBSIGN scan "$BLOCK" -p "$PORT" --format jsonl --concurrency 256 --timeout 5000 > /dev/null || true

now() { date +%s.%N; }
t0=$(now)
ours=$($SMBSIGN scan "$BLOCK" -p "$PORT" --format jsonl --concurrency 256 --timeout 5000 | grep -c '"smb2":{"enabled":true' || true)
t1=$(now)
ours_s=$(echo "$t1 - $t0" | bc -l)
echo "smbsign: $ours of $N targets answered SMB2 in ${ours_s} s"

if command -v nmap >/dev/null; then
  t0=$(now)
  theirs=$(nmap -Pn -n -T5 -p "$PORT" --script smb2-security-mode --script-args "smbport=$PORT" "$BLOCK" 2>/dev/null | grep -c "Message signing" || true)
  t1=$(now)
  nmap_s=$(echo "$t1 - $t0" | bc -l)
  echo "nmap:    $theirs of $N targets reported by smb2-security-mode in ${nmap_s} s"
  python3 - "$N" "$ours_s" "$nmap_s" <<'PY'
import sys
n, ours, theirs = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print(f"targets/s: smbsign {n/ours:.1f}, nmap {n/theirs:.1f}, ratio {theirs/ours:.1f}x")
PY
else
  echo "nmap not installed: no comparison"
fi

# Memory: 65,536 targets. The responder binds the first 4,096 addresses; the rest refuse at once (closed port),
# so the run is short but the prober streams every target through the same pipeline.
$RESPONDER 127.1.0.0/20 "$MEMPORT" > /tmp/smbsign-bench-responder-mem.log 2>&1 & pids+=($!)
for _ in $(seq 100); do grep -q listening /tmp/smbsign-bench-responder-mem.log 2>/dev/null && break; sleep 0.1; done
for n in 4096 65536; do
  bits=$(python3 -c "import math;print(32-int(math.log2($n)))")
  /usr/bin/time -f "%M %e" -o /tmp/smbsign-bench-mem.txt $SMBSIGN scan "127.1.0.0/$bits" -p "$MEMPORT" --format jsonl --concurrency 256 --timeout 5000 > /tmp/smbsign-bench-mem.jsonl || true
  read -r rss secs < <(tail -n 1 /tmp/smbsign-bench-mem.txt)
  lines=$(wc -l < /tmp/smbsign-bench-mem.jsonl)
  answered=$(grep -c '"smb2":{"enabled":true' /tmp/smbsign-bench-mem.jsonl || true)
  echo "memory: $lines targets ($answered answered SMB2) in ${secs} s, peak RSS $((rss / 1024)) MiB"
done
