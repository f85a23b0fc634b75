#!/usr/bin/env bash
# `smbsign report` at fleet scale: generates N synthetic machines' audit JSON (bench/report-100k.py: schemaVersion 2,
# 16 results per machine with every field the real audit writes, split over FILES documents as per-site audits would
# be), times the report generation (wall time and peak RSS, GNU time), reports the HTML file size (and gzip size, for
# e-mail), and measures how long the page takes to open in headless chromium: navigation start to the tables drawn
# (data-ready-ms) and to the load event (data-load-ms), both from performance.now() in the page, read back with
# --dump-dom; RUNS runs, median. Prints the load average, since the machine may be shared.
# Usage: bench/report-100k.sh [N=100000] [FILES=4] [RUNS=3] [WORKDIR=/tmp/smbsign-report-100k]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
FILES=${2:-4}
RUNS=${3:-3}
WORK=${4:-/tmp/smbsign-report-100k}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[[ -x /usr/bin/time ]] || { echo "needs GNU time (/usr/bin/time): apt-get install -y time" >&2; exit 2; }
[[ -x /usr/bin/chromium ]] || { echo "needs Debian's chromium: apt-get install -y --no-install-recommends chromium" >&2; exit 2; }

dotnet build src/SmbSign.Cli -c Release -nologo -v q >/dev/null
SMBSIGN="dotnet src/SmbSign.Cli/bin/Release/net10.0/smbsign.dll"

rm -rf "$WORK"; mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
echo "generating $N machines in $FILES audit documents ..."
python3 bench/report-100k.py "$WORK" "$N" "$FILES"
inputs=("$WORK"/audit-*.json)
echo "input: $(du -cb "${inputs[@]}" | tail -1 | cut -f1 | numfmt --to=iec) in ${#inputs[@]} files"

out="$WORK/report.html"
/usr/bin/time -f '%e %M' -o "$WORK/time" $SMBSIGN report "${inputs[@]}" -o "$out" >"$WORK/stdout"
read -r wall rss_kb <"$WORK/time"
size=$(stat -c %s "$out")
gz=$(gzip -9c "$out" | wc -c)
echo "report generation: ${wall} s wall, peak RSS $((rss_kb / 1024)) MB"
echo "report size: $(numfmt --to=iec "$size") ($size bytes), gzip -9 $(numfmt --to=iec "$gz")"
if grep -Eq 'https?://' "$out"; then echo "FAIL: the report contains a URL"; exit 1; fi

ready=() load=()
for run in $(seq 1 "$RUNS"); do
  profile=$(mktemp -d)
  start=$(date +%s.%N)
  dom=$(timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$profile" --window-size=1280,900 --dump-dom "file://$out" 2>/dev/null | head -c 4096)
  end=$(date +%s.%N)
  rm -rf "$profile"
  r=$(grep -o 'data-ready-ms="[0-9]*"' <<<"$dom" | grep -o '[0-9]*' || true)
  l=$(grep -o 'data-load-ms="[0-9]*"' <<<"$dom" | grep -o '[0-9]*' || true)
  [[ -n $r && -n $l ]] || { echo "FAIL: run $run: the page did not finish drawing (no data-ready-ms/data-load-ms)"; exit 1; }
  ready+=("$r"); load+=("$l")
  printf 'open run %d: tables drawn %s ms, load event %s ms after navigation start (chromium process incl. start-up: %.2f s)\n' \
    "$run" "$r" "$l" "$(echo "$end - $start" | bc)"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "open median: tables drawn $(median "${ready[@]}") ms, load event $(median "${load[@]}") ms (target: under 2000 ms)"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
[[ $(median "${load[@]}") -lt 2000 ]] || { echo "FAIL: the page took 2 s or more to open"; exit 1; }
