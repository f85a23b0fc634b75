#!/usr/bin/env bash
# Fuzzes one SmbSign parser of untrusted bytes with AFL++ through SharpFuzz, and prints executions, crashes and hangs.
#   bench/fuzz.sh list                 the targets (bench/SmbSign.Fuzz/Targets/FuzzTargets.cs)
#   bench/fuzz.sh TARGET[,TARGET...] [SECONDS=60]  fuzz these targets in turn, SECONDS each
#   bench/fuzz.sh all [SECONDS=60]     every target in turn, then one summary line each
# Needs Debian's afl++ and the sharpfuzz tool (installed here when missing, as root):
#   apt-get install afl++ ; dotnet tool install --tool-path /opt/sharpfuzz SharpFuzz.CommandLine --version 2.3.0
# Work files go to artifacts/fuzz/TARGET (seeds in in/, AFL's queue, crashes and hangs in out/default/). A crash is an
# exception outside the target's documented rejection, more than 64 MB allocated or more than 1 s of CPU for one input
# (both checked by the harness); a hang is an input that does not return within AFL's -t 10000 (wall clock, which
# also absorbs the start of SharpFuzz's .NET child on a loaded machine). Every finding is replayed once outside AFL to print its exception, time and allocation; save the
# real ones under tests/SmbSign.Cli.Tests/TestData/fuzz-regressions/TARGET/ (FuzzRegressionTests replays them all).
# AFL runs at nice 10 with no CPU binding: the machine is shared.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work="$root/artifacts/fuzz"
bin="$work/bin"

usage() { echo "usage: bench/fuzz.sh list | TARGET[,TARGET...] [SECONDS] | all [SECONDS]" >&2; exit 2; }
[[ $# -ge 1 ]] || usage

build() {
  # Incremental build to build/, then a fresh copy to bin/ to instrument: sharpfuzz refuses an assembly it has
  # already instrumented.
  dotnet build bench/SmbSign.Fuzz/SmbSign.Fuzz.csproj -c Release -nologo -v q -o "$work/build" >"$work/build.log" 2>&1 \
    || { tail -20 "$work/build.log"; echo "build failed" >&2; exit 1; }
  rm -rf "$bin"
  cp -r "$work/build" "$bin"
}

instrument() {
  if ! command -v afl-fuzz >/dev/null 2>&1; then
    [[ $(id -u) -eq 0 ]] || { echo "afl-fuzz is missing: apt-get install afl++" >&2; exit 1; }
    apt-get install -y -qq afl++ >"$work/apt.log" 2>&1 || { tail -5 "$work/apt.log"; exit 1; }
  fi
  local sharpfuzz
  sharpfuzz=$(command -v sharpfuzz || echo /opt/sharpfuzz/sharpfuzz)
  if [[ ! -x "$sharpfuzz" ]]; then
    dotnet tool install --tool-path /opt/sharpfuzz SharpFuzz.CommandLine --version 2.3.0 >"$work/tool.log" 2>&1 \
      || { tail -5 "$work/tool.log"; exit 1; }
    sharpfuzz=/opt/sharpfuzz/sharpfuzz
  fi
  # Only SmbSign's own code is instrumented (the BCL's JSON and ASN.1 readers are exercised, not traced).
  for dll in SmbSign.Protocol SmbSign.Wire SmbSign.Capture SmbSign.Policy smbsign; do
    "$sharpfuzz" "$bin/$dll.dll" >>"$work/instrument.log" 2>&1 || { tail -5 "$work/instrument.log"; exit 1; }
  done
}

harness() { dotnet "$bin/SmbSign.Fuzz.dll" "$@"; }

seeds() {
  local target=$1 dir=$2
  rm -rf "$dir"
  harness seeds "$target" "$root" "$dir" >/dev/null
  if [[ $target == auditjson ]]; then
    # Real 'audit --format json' output of a few sample machines (the test data's fleet audit is too large a seed).
    for f in samples/fleet/ws-win10-01.reg samples/fleet/samba-fs01.smb.conf samples/fleet/srv-server2022-01.Registry.pol; do
      dotnet "$work/build/smbsign.dll" audit "$f" --format json >"$dir/audit-$(basename "$f").json" 2>/dev/null || true
    done
  fi
}

stat() { sed -n "s/^$1 *: *//p" "$2" | head -1; }

fuzz() {
  local target=$1 seconds=$2 dir="$work/$1"
  mkdir -p "$dir"
  seeds "$target" "$dir/in"
  rm -rf "$dir/out"
  local started=$SECONDS
  # -m none: a .NET process reserves far more address space than it uses; the harness enforces the 64 MB allocation
  # limit itself. The fork-server start allows for the harness's warm-up on the seeds (JIT and catalog load).
  # AFL_MAP_SIZE: SharpFuzz's bitmap is 64 KiB; without it this afl++ (4.04c) asks the fork server for a map size,
  # gets no answer it understands, and restarts the target without the fork-server pipes.
  AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 \
  AFL_MAP_SIZE=65536 AFL_FORKSRV_INIT_TMOUT=60000 SMBSIGN_FUZZ_WARMUP="$dir/in" \
    nice -n 10 afl-fuzz -i "$dir/in" -o "$dir/out" -t 10000 -m none -V "$seconds" -- \
      dotnet "$bin/SmbSign.Fuzz.dll" run "$target" >"$dir/afl.log" 2>&1 || { tail -30 "$dir/afl.log"; echo "afl-fuzz failed for $target" >&2; return 1; }
  local stats="$dir/out/default/fuzzer_stats"
  local execs rate crashes hangs paths
  execs=$(stat execs_done "$stats"); rate=$(stat execs_per_sec "$stats")
  crashes=$(stat saved_crashes "$stats"); hangs=$(stat saved_hangs "$stats"); paths=$(stat corpus_count "$stats")
  printf '%-10s %6ss  execs %9s  exec/s %8s  corpus %5s  crashes %3s  hangs %3s\n' \
    "$target" "$((SECONDS - started))" "$execs" "$rate" "$paths" "$crashes" "$hangs" | tee -a "$work/summary.txt"
  for kind in crashes hangs; do
    if compgen -G "$dir/out/default/$kind/id:*" >/dev/null; then
      echo "  $kind (replayed once outside AFL):"
      harness replay "$target" "$dir/out/default/$kind" | sed 's/^/    /' | head -40 || true
    fi
  done
}

case $1 in
  list)
    mkdir -p "$work"
    [[ -f "$bin/SmbSign.Fuzz.dll" ]] || build
    harness list
    ;;
  all)
    mkdir -p "$work"; build; instrument
    : >"$work/summary.txt"
    for t in $(harness list | awk '{print $1}'); do fuzz "$t" "${2:-60}" || true; done
    echo "== summary"; cat "$work/summary.txt"
    ;;
  -*) usage ;;
  *)
    mkdir -p "$work"; build; instrument
    IFS=, read -ra targets <<<"$1"
    for t in "${targets[@]}"; do
      harness list | awk '{print $1}' | grep -qx "$t" || { echo "unknown target '$t'; bench/fuzz.sh list" >&2; exit 2; }
    done
    for t in "${targets[@]}"; do fuzz "$t" "${2:-60}" || true; done
    ;;
esac
