#!/usr/bin/env bash
# Capture reading throughput: smbsign capture vs tshark on the same large capture, measured in the same run.
#
#   bench/capture-vs-tshark.sh [SIZE] [TSHARK_SIZE] [MSS]
#     SIZE         size of the generated capture (default 1G; suffixes K, M, G)
#     TSHARK_SIZE  size of the capture tshark reads (default: SIZE). When smaller, tshark reads a separately generated
#                  capture of that size (same sessions, same mix) and its time is scaled linearly; the output says so.
#     MSS          0 = TCP segments as recorded on loopback (up to 64 KiB), or e.g. 1448 to re-segment like Ethernet.
#
# The capture is built by repeating real recorded SMB sessions (the committed test captures plus, when the suite can
# record here - root, Samba, dumpcap - a fresh 3 MiB READ/WRITE session) with per-copy client addresses, server port
# 445 and shifted TCP sequence numbers (bench/SmbSign.Benchmarks generate-capture). Everything lives in a temp dir
# that is removed at the end. Targets (issue 8): >= 1 GB/s without verification, >= 20x tshark, peak RSS <= 100 MB.
#
# smbsign runs twice in the same run: without verification, and with verification of every signature (-u smbsigntest,
# the fixture's password in SMBSIGN_PASSWORD: every repeated session re-derives its key from its own captured
# AUTHENTICATE). Verification costs what the MAC over the signed bytes costs (AES-GMAC ~3.4 GB/s, AES-CMAC and
# HMAC-SHA256 ~0.44 GB/s per core on the reference machine); the mix of the templates decides the rate.
# The load average (uptime) is printed with the figures: the machine may be shared.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1G}
tshark_size=${2:-$size}
mss=${3:-0}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

for tool in tshark /usr/bin/time dotnet python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "missing: $tool"; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/smbsign-capture-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "== building (Release)"
dotnet build src/SmbSign.Cli -c Release -nologo -v q >/dev/null
dotnet build bench/SmbSign.Benchmarks -c Release -nologo -v q >/dev/null
smbsign=src/SmbSign.Cli/bin/Release/net10.0/smbsign
generator=bench/SmbSign.Benchmarks/bin/Release/net10.0/SmbSign.Benchmarks.dll

templates=(tests/SmbSign.Capture.Tests/TestData/captures/*.pcapng)
echo "== recording a bulk session (smbclient <-> Samba on loopback, dumpcap)"
if SMBSIGN_KEEP_CAPTURES="$work" dotnet test tests/SmbSign.Wire.Tests -nologo -v q \
     --filter "FullyQualifiedName~RecordedSessionTests.Record_BulkTransfer" >"$work/record.log" 2>&1 \
   && [[ -f "$work/bulk-smb311-signed.pcapng" ]]; then
  templates+=("$work/bulk-smb311-signed.pcapng")
  echo "templates: ${#templates[@]} real sessions (3 committed small sessions + 1 fresh 3 MiB READ/WRITE session)"
else
  echo "templates: the ${#templates[@]} committed small sessions only (recording failed; tail of the log:)"
  tail -5 "$work/record.log" || true
fi

generate() {
  dotnet "$generator" generate-capture --out "$1" --size "$2" --mss "$mss" "${templates[@]}"
}

echo "== generating"
generate "$work/big.pcap" "$size"
tshark_file="$work/big.pcap"
if [[ "$tshark_size" != "$size" ]]; then
  generate "$work/tshark.pcap" "$tshark_size"
  tshark_file="$work/tshark.pcap"
fi

bytes=$(stat -c %s "$work/big.pcap")
tshark_bytes=$(stat -c %s "$tshark_file")
cat "$work/big.pcap" "$tshark_file" >/dev/null # same page-cache state for both tools

# Wall-clock seconds, peak RSS (KiB), user and system CPU seconds from GNU time -v.
measure() {
  local log=$1; shift
  /usr/bin/time -v "$@" 2>"$log" >/dev/null || { echo "failed: $*"; tail -20 "$log"; exit 1; }
  python3 - "$log" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1).split(":")
seconds = sum(float(p) * 60 ** i for i, p in enumerate(reversed(wall)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
user = float(re.search(r"User time \(seconds\): (\S+)", text).group(1))
system = float(re.search(r"System time \(seconds\): (\S+)", text).group(1))
print(f"{seconds} {rss} {user} {system}")
PY
}

echo "== smbsign capture $(basename "$work/big.pcap") --format json"
read -r s_wall s_rss s_user s_sys < <(measure "$work/smbsign.time" "$smbsign" capture "$work/big.pcap" --format json -o "$work/report.json")
echo "== smbsign capture $(basename "$work/big.pcap") --format json -u smbsigntest (verifying every signature)"
export SMBSIGN_PASSWORD='SmbSign-Test-1!' # the Samba fixture's test password (tests/SmbSign.Testing/SambaServer.cs)
read -r v_wall v_rss v_user v_sys < <(measure "$work/verify.time" "$smbsign" capture "$work/big.pcap" --format json -u smbsigntest -o "$work/report-verify.json")
unset SMBSIGN_PASSWORD
echo "== tshark -r $(basename "$tshark_file") -Y smb2 -T fields -e smb2.flags.signature"
read -r t_wall t_rss t_user t_sys < <(measure "$work/tshark.time" tshark -r "$tshark_file" -Y smb2 -T fields -e smb2.flags.signature)

load=$(uptime | sed 's/.*load average: //')
python3 - "$work/report.json" "$bytes" "$s_wall" "$s_rss" "$s_user" "$s_sys" "$tshark_bytes" "$t_wall" "$t_rss" "$t_user" "$t_sys" "$mss" \
  "$work/report-verify.json" "$v_wall" "$v_rss" "$v_user" "$v_sys" "$load" "$(nproc)" <<'PY'
import json, sys
report, size, s_wall, s_rss, s_user, s_sys, t_size, t_wall, t_rss, t_user, t_sys, mss, v_report, v_wall, v_rss, v_user, v_sys, load, cores = sys.argv[1:]
size, t_size = int(size), int(t_size)
s_wall, s_user, s_sys, t_wall, t_user, t_sys, v_wall, v_user, v_sys = map(float, (s_wall, s_user, s_sys, t_wall, t_user, t_sys, v_wall, v_user, v_sys))
d = json.load(open(report))
st = d["files"][0]["statistics"]
s_rate = size / s_wall / 1e6
t_rate = t_size / t_wall / 1e6
print()
print(f"capture: {size / 1e6:.0f} MB, {d['files'][0]['packets']} packets, {st['tcpConnections']} connections, "
      f"{st['smbMessages']} SMB messages, {d['gaps']} gaps (segments {'as recorded' if mss == '0' else 'of MSS ' + mss})")
print(f"smbsign capture : {s_wall:7.2f} s wall ({s_user + s_sys:.2f} s CPU)  {s_rate:8.0f} MB/s   peak RSS {int(s_rss) / 1024:.0f} MiB")
scaled = "" if t_size == size else f"   [tshark read a {t_size / 1e6:.0f} MB capture of the same mix; its rate is scaled linearly to {size / 1e6:.0f} MB: {size / t_size * t_wall:.1f} s]"
print(f"tshark          : {t_wall:7.2f} s wall ({t_user + t_sys:.2f} s CPU)  {t_rate:8.0f} MB/s   peak RSS {int(t_rss) / 1024:.0f} MiB{scaled}")
cpu_ratio = (size / (s_user + s_sys)) / (t_size / (t_user + t_sys))
v = json.load(open(v_report))
sessions = [s for c in v["connections"] for s in c["sessions"]]
verified = sum(s["verified"] or 0 for s in sessions)
failed = sum(s["failed"] or 0 for s in sessions)
unchecked = sum(s["notCheckable"] or 0 for s in sessions)
signed = sum(s["signed"] for s in sessions)
algorithms = {}
for c in v["connections"]:
    algorithms[c["signingAlgorithm"]] = algorithms.get(c["signingAlgorithm"], 0) + 1
v_rate = size / v_wall / 1e6
print(f"smbsign verify  : {v_wall:7.2f} s wall ({v_user + v_sys:.2f} s CPU)  {v_rate:8.0f} MB/s   peak RSS {int(v_rss) / 1024:.0f} MiB   "
      f"[{verified} of {signed} signed messages verified, {failed} failed, {unchecked} not checkable; connections by algorithm: {algorithms}]")
print(f"ratio           : {s_rate / t_rate:.1f}x tshark by wall time, {cpu_ratio:.1f}x by CPU time; with verification {v_rate / t_rate:.1f}x tshark, {v_rate / s_rate:.2f}x of reading alone")
print(f"load average    : {load} on {cores} cores (shared machine: other jobs may run during the measurement)")
print(f"targets         : >= 1000 MB/s: {'met' if s_rate >= 1000 else 'NOT met'}; >= 20x tshark: {'met' if s_rate / t_rate >= 20 else 'NOT met'}; RSS <= 100 MB: {'met' if max(int(s_rss), int(v_rss)) * 1024 <= 100e6 else 'NOT met'} (with and without verification)")
PY
