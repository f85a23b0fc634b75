#!/usr/bin/env bash
# Start-up and throughput of the native AOT binary against the JIT build, measured in the same run.
#
#   bench/native-vs-jit.sh [CAPTURE_SIZE]     (default 256M)
#
# Start-up: wall time of `smbsign --version` and `smbsign explain client.RequireSecuritySignature`, median of 20
# runs each (after one untimed run), native vs `dotnet smbsign.dll`. Target: native <= 30 ms. Also the median CPU time
# (user + system) of the same runs and, when valgrind is installed, the native binary's instruction count.
# Throughput: `smbsign bench signing` GB per CPU second per algorithm at 64 KiB, and `smbsign capture` MB per CPU second on a generated capture
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
source scripts/lib/native-publish.sh
native_publish linux-x64 "$work/native" >/dev/null
jit=(dotnet src/SmbSign.Cli/bin/Release/net10.0/smbsign.dll)
native=("$work/native/smbsign")
generator=bench/SmbSign.Benchmarks/bin/Release/net10.0/SmbSign.Benchmarks.dll

echo "== load: $(uptime | sed 's/.*load average/load average/')"
python3 - "${native[0]}" "${jit[@]}" <<'PY'
import resource, shutil, statistics, subprocess, sys, tempfile, time, os
native, jit = [sys.argv[1]], sys.argv[2:]
def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
def run(cmd):
    c, t = children_cpu(), time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - t) * 1000, (children_cpu() - c) * 1000
def measure(cmd, runs=20):
    run(cmd)
    samples = [run(cmd) for _ in range(runs)]
    return statistics.median(w for w, _ in samples), statistics.median(c for _, c in samples)
def instructions(cmd):
    # Instructions retired, counted by valgrind (callgrind): the same for the same binary and arguments whatever the
    # machine's load, so it shows what a change did to start-up even when wall times are noisy.
    if shutil.which("valgrind") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        # A copy without smbsign.dbg beside it: Debian 12's valgrind gives up on that file's debug information.
        shutil.copy(cmd[0], f"{tmp}/smbsign")
        out = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/cg", f"{tmp}/smbsign"] + cmd[1:],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True).stderr
    for line in out.splitlines():
        if "Collected :" in line:
            return int(line.split(":")[-1].strip())
    return None
print(f"{'start-up (median of 20)':<44} {'native wall':>11} {'JIT wall':>9} {'native CPU':>11} {'JIT CPU':>9} {'native instructions':>20}")
for args in (["--version"], ["explain", "client.RequireSecuritySignature"]):
    (nw, nc), (jw, jc) = measure(native + args), measure(jit + args)
    count = instructions(native + args)
    print(f"smbsign {' '.join(args):<36} {nw:9.1f}ms {jw:7.1f}ms {nc:9.1f}ms {jc:7.1f}ms {count / 1e6 if count else float('nan'):18.1f}M  (wall {jw / nw:.1f}x)")
PY

echo "== signing throughput at 64 KiB (smbsign bench signing; GB per CPU second, best of 3 alternating runs)"
# Per CPU second, not per wall second: on a shared machine the wall-clock rate follows the load, while CPU time is what
# the code costs. Runs alternate native/JIT so both see the same conditions; the best of three is kept.
for round in 1 2 3; do
  for variant in native jit; do
    if [[ $variant == native ]]; then cmd=("${native[@]}"); else cmd=("${jit[@]}"); fi
    "${cmd[@]}" bench signing --sizes 64K --seconds 1 --format json >"$work/$variant-signing-$round.json"
  done
done
python3 - "$work" <<'PY'
import glob, json, sys
def best(variant):
    out = {}
    for path in glob.glob(f"{sys.argv[1]}/{variant}-signing-*.json"):
        for r in json.load(open(path))["results"]:
            out[r["algorithm"]] = max(out.get(r["algorithm"], 0), r["gigabytesPerCpuSecond"])
    return out
n, j = best("native"), best("jit")
for alg in n:
    print(f"{alg:<14} native {n[alg]:6.3f}  JIT {j[alg]:6.3f}  native/JIT {n[alg] / j[alg]:.2f}")
PY

echo "== capture throughput ($size generated from the committed sessions; MB per CPU second, best of 3 alternating runs)"
dotnet "$generator" generate-capture --out "$work/big.pcap" --size "$size" --mss 0 tests/SmbSign.Capture.Tests/TestData/captures/*.pcapng >/dev/null
cat "$work/big.pcap" >/dev/null
python3 - "$work/big.pcap" "${native[0]}" "${jit[@]}" <<'PY'
import os, resource, subprocess, sys
capture, native, jit = sys.argv[1], [sys.argv[2]], sys.argv[3:]
size = os.path.getsize(capture)
def cpu_seconds(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd + ["capture", capture, "--format", "json"], stdout=subprocess.DEVNULL, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
best = {"native": float("inf"), "jit": float("inf")}
for _ in range(3):
    for name, cmd in (("native", native), ("jit", jit)):
        best[name] = min(best[name], cpu_seconds(cmd))
for name in ("native", "jit"):
    print(f"{name:<7} {best[name]:6.2f} CPU s  {size / best[name] / 1e6:8.1f} MB per CPU second")
print(f"native/JIT {best['jit'] / best['native']:.2f}")
PY
