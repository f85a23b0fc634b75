#!/usr/bin/env bash
# Start-up and throughput of the native AOT binary against the JIT build, measured in the same run.
#
#   bench/native-vs-jit.sh [CAPTURE_SIZE]     (default 256M)
#
# Start-up: wall time of `smbsign --version` and `smbsign explain client.RequireSecuritySignature`, median of 20
# runs each (after one untimed run), native vs `dotnet smbsign.dll`. Target: native <= 30 ms.
# Throughput: `smbsign bench signing` GB/s per algorithm at 64 KiB, and `smbsign capture` MB/s on a generated capture
# (bench/SmbSign.Benchmarks generate-capture from the committed recorded sessions). Target: native within 10 % of JIT.
# The load average is printed: the machine may be shared, so compare the two columns of one run, not runs.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-256M}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work=$(mktemp -d "${TMPDIR:-/tmp}/smbsign-native-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "== building JIT (Release) and native (PublishAot)"
dotnet build src/SmbSign.Cli -c Release -nologo -v q >/dev/null
dotnet build bench/SmbSign.Benchmarks -c Release -nologo -v q >/dev/null
dotnet publish src/SmbSign.Cli -c Release -r linux-x64 -p:PublishAot=true -o "$work/native" -nologo -v q >/dev/null
jit=(dotnet src/SmbSign.Cli/bin/Release/net10.0/smbsign.dll)
native=("$work/native/smbsign")
generator=bench/SmbSign.Benchmarks/bin/Release/net10.0/SmbSign.Benchmarks.dll

echo "== load: $(uptime | sed 's/.*load average/load average/')"
python3 - "${native[0]}" "${jit[@]}" <<'PY'
import statistics, subprocess, sys, time
native, jit = [sys.argv[1]], sys.argv[2:]
def median_ms(cmd, runs=20):
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    samples = []
    for _ in range(runs):
        t = time.perf_counter(); subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True); samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)
print(f"{'start-up (median of 20)':<52} {'native':>9} {'JIT':>9}")
for args in (["--version"], ["explain", "client.RequireSecuritySignature"]):
    n, j = median_ms(native + args), median_ms(jit + args)
    print(f"smbsign {' '.join(args):<44} {n:7.1f}ms {j:7.1f}ms  ({j / n:.1f}x)")
PY

echo "== signing throughput at 64 KiB (smbsign bench signing, GB/s)"
for variant in native jit; do
  if [[ $variant == native ]]; then cmd=("${native[@]}"); else cmd=("${jit[@]}"); fi
  "${cmd[@]}" bench signing --sizes 64K --seconds 1 --format json >"$work/$variant-signing.json"
done
python3 - "$work/native-signing.json" "$work/jit-signing.json" <<'PY'
import json, sys
def rates(path):
    doc = json.load(open(path))
    rows = doc["results"] if isinstance(doc, dict) else doc
    return {r["algorithm"]: r["gigabytesPerSecond"] for r in rows}
n, j = rates(sys.argv[1]), rates(sys.argv[2])
for alg in n:
    print(f"{alg:<14} native {n[alg]:6.3f}  JIT {j[alg]:6.3f}  native/JIT {n[alg] / j[alg]:.2f}")
PY

echo "== capture throughput ($size generated from the committed sessions)"
dotnet "$generator" generate-capture --out "$work/big.pcap" --size "$size" --mss 0 tests/SmbSign.Capture.Tests/TestData/captures/*.pcapng >/dev/null
cat "$work/big.pcap" >/dev/null
bytes=$(stat -c %s "$work/big.pcap")
for variant in native jit; do
  if [[ $variant == native ]]; then cmd=("${native[@]}"); else cmd=("${jit[@]}"); fi
  start=$(date +%s.%N)
  "${cmd[@]}" capture "$work/big.pcap" --format json >/dev/null
  end=$(date +%s.%N)
  python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'{sys.argv[3]:<7} {s:6.2f} s  {int(sys.argv[4])/s/1e6:8.1f} MB/s')" "$start" "$end" "$variant" "$bytes"
done
