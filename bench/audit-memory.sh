#!/usr/bin/env bash
# Peak memory of `smbsign audit` at fleet scale: generates a fleet of N machines (the audit benchmark's generator:
# UTF-16 .reg exports, one in four with a GptTmpl.inf, a machines.json naming each OS) and audits it once per output
# format (table, json, csv, sarif), written to a file. Prints peak RSS (GNU time, "Maximum resident set size") and
# wall time per format. Reports are written machine by machine as they are audited, so the target is a flat peak:
# <= 150 MB at N=100,000. Usage: bench/audit-memory.sh [N=100000] [WORKDIR=/tmp/smbsign-audit-memory]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
WORK=${2:-/tmp/smbsign-audit-memory}
LIMIT_MB=150
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[[ -x /usr/bin/time ]] || { echo "needs GNU time (/usr/bin/time): apt-get install -y time" >&2; exit 2; }

dotnet build src/SmbSign.Cli -c Release -nologo -v q >/dev/null
dotnet build bench/SmbSign.Benchmarks -c Release -nologo -v q >/dev/null
SMBSIGN="dotnet src/SmbSign.Cli/bin/Release/net10.0/smbsign.dll"

rm -rf "$WORK"; mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT
FLEET="$WORK/fleet"
echo "generating $N machines in $FLEET ..."
dotnet bench/SmbSign.Benchmarks/bin/Release/net10.0/SmbSign.Benchmarks.dll generate-fleet "$FLEET" "$N"
echo "files: $(find "$FLEET" -type f | wc -l)"

status=0
printf '%-7s %12s %10s %12s %5s\n' format peak_rss_mb wall_s report_mb exit
for format in table json csv sarif; do
  out="$WORK/report.$format"
  rm -f "$out"
  set +e
  /usr/bin/time -v -o "$WORK/time.$format" $SMBSIGN audit "$FLEET" --format "$format" -o "$out" 2>"$WORK/stderr.$format"
  rc=$?
  set -e
  kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$WORK/time.$format")
  wall=$(awk '/Elapsed \(wall clock\)/ {print $NF}' "$WORK/time.$format")
  size=$(( $(stat -c %s "$out" 2>/dev/null || echo 0) / 1048576 ))
  mb=$(( kb / 1024 ))
  printf '%-7s %12s %10s %12s %5s\n' "$format" "$mb" "$wall" "$size" "$rc"
  # exit 1 = some machine fails (expected: the generated fleet has failing machines); anything else is a problem.
  if (( rc != 0 && rc != 1 )); then echo "  audit exited $rc: $(head -3 "$WORK/stderr.$format")" >&2; status=1; fi
  if (( mb > LIMIT_MB )); then echo "  over the ${LIMIT_MB} MB target" >&2; status=1; fi
done
exit $status
