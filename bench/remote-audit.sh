#!/usr/bin/env bash
# audit --remote vs a loop of impacket rrp reads, against the same Samba winreg server in one run.
# Starts one smbd + samba-dcerpcd (winreg, lsarpc) on 127.0.0.1:PORT (a free port unless given) in a temp dir, seeds signing values with
# `net registry`, then reads N targets (the same server N times: every target is a full session, logon, bind and
# registry read) with `smbsign audit --remote` and with N sequential runs of impacket's rrp module reading every
# value of the same keys (tests/SmbSign.Cli.Tests/TestData/impacket-rrp-read.py), at N/4 and N targets. Prints
# hosts/s for both and the ratio, then peak RSS of smbsign at N/4 and N targets (memory should not grow with the
# targets beyond the results). Fails (exit 1) if either tool reads errors instead of values.
# Needs root (pdbedit/useradd) and samba, python3-impacket. Traffic stays on 127.0.0.1.
# Usage: bench/remote-audit.sh [N=64] [PORT=free] [CONCURRENCY=16]   (KEEP=1 keeps the temp dir and logs)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-64}
PORT=${2:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
CONCURRENCY=${3:-16}
PASSWORD='SmbSign-Bench-1!'
USER_NAME=smbsignbench
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

ROOT=$(mktemp -d /tmp/smbsign-remote-bench.XXXXXX)
# mktemp -d makes the directory 0700. rpcd_winreg opens registry.tdb lazily, on the first OpenHKLM, while it
# impersonates the logged-on user; Samba's state_path() then checks the state directory (directory_create_or_exist),
# which fails with EACCES for that user under a 0700 parent, and winreg answers WERR_NOT_ENOUGH_MEMORY (8) to every
# client. The test fixture's temp root is 0755 (Directory.CreateDirectory), which is why it always worked.
chmod 755 "$ROOT"
PIDS=()
# smbd and samba-dcerpcd each lead their own process group (setsid); their children (smbd per client, the
# rpcd_winreg/rpcd_lsad workers) stay in it, so signalling the group ends all of them.
cleanup() {
  for p in "${PIDS[@]}"; do kill -- "-$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do for _ in $(seq 50); do kill -0 -- "-$p" 2>/dev/null || break; sleep 0.1; done; done
  [[ -n "${KEEP:-}" ]] || rm -rf "$ROOT"
}
trap cleanup EXIT
for d in lock state cache private pid log ncalrpc share; do mkdir -p "$ROOT/$d"; done
id "$USER_NAME" >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin "$USER_NAME"
cat > "$ROOT/smb.conf" <<CONF
[global]
  workgroup = SMBSIGNBENCH
  netbios name = SMBSIGNBENCH
  server role = standalone server
  passdb backend = tdbsam:$ROOT/private/passdb.tdb
  lock directory = $ROOT/lock
  state directory = $ROOT/state
  cache directory = $ROOT/cache
  private dir = $ROOT/private
  pid directory = $ROOT/pid
  ncalrpc dir = $ROOT/ncalrpc
  log file = $ROOT/log/log.%m
  smb ports = $PORT
  interfaces = 127.0.0.1
  bind interfaces only = yes
  disable netbios = yes
  load printers = no
  printcap name = /dev/null
  disable spoolss = yes
  rpc start on demand helpers = false
  security = user
  usershare path =
  map to guest = never
CONF
printf '%s\n%s\n' "$PASSWORD" "$PASSWORD" | pdbedit -s "$ROOT/smb.conf" -a -u "$USER_NAME" -t >/dev/null
# Own sessions: samba-dcerpcd signals its whole process group on shutdown, which must not be this script's.
setsid smbd -s "$ROOT/smb.conf" -F --no-process-group --debug-stdout -d 1 >"$ROOT/log/smbd.out" 2>&1 & PIDS+=($!)
setsid /usr/libexec/samba/samba-dcerpcd -s "$ROOT/smb.conf" -F --no-process-group --debug-stdout -d 1 /usr/libexec/samba/rpcd_winreg /usr/libexec/samba/rpcd_lsad >"$ROOT/log/dcerpcd.out" 2>&1 & PIDS+=($!)
for _ in $(seq 100); do [[ -S "$ROOT/ncalrpc/np/winreg" ]] && (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
NET="net -s $ROOT/smb.conf registry"
WS='HKLM\SYSTEM\CurrentControlSet\Services\LanmanWorkstation\Parameters'
SV='HKLM\SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters'
$NET createkey "$WS" >/dev/null; $NET createkey "$SV" >/dev/null
$NET setvalue "$WS" RequireSecuritySignature dword 1 >/dev/null
$NET setvalue "$WS" EnableSecuritySignature dword 1 >/dev/null
$NET setvalue "$SV" RequireSecuritySignature dword 0 >/dev/null
$NET setvalue "$SV" EnableSecuritySignature dword 1 >/dev/null

dotnet build src/SmbSign.Cli -c Release -nologo -v q >/dev/null
SMBSIGN="dotnet src/SmbSign.Cli/bin/Release/net10.0/smbsign.dll"
targets() { for _ in $(seq "$1"); do printf '127.0.0.1:%s\n' "$PORT"; done; }
export SMBSIGN_PASSWORD="$PASSWORD"

# The keys smbsign reads (from the catalog) as impacket arguments: same keys, every value of each.
KEYS=$(python3 - <<'PY'
import json
d = json.load(open("src/SmbSign.Policy/Catalog/settings.json"))
keys = set()
def add(k):
    k = k.replace("HKLM\\", "", 1)
    keys.add(k.replace("LanManServer", "LanmanServer"))
for s in d["settings"]:
    add(s["registry"]["key"])
    for a in s.get("alternateRegistry") or []:
        add(a["key"])
keys |= {r"SOFTWARE\Microsoft\Windows NT\CurrentVersion", r"SYSTEM\CurrentControlSet\Control\ProductOptions"}
print("\n".join(sorted(keys)))
PY
)
mapfile -t KEYARGS <<< "$KEYS"

# Warm-up (JIT, first logon) not timed.
$SMBSIGN audit --remote 127.0.0.1:$PORT -u "$USER_NAME" --os server2025 --format csv >/dev/null || true

# One timed run of smbsign over a targets file; sets T (seconds), ROWS (result rows), ERRS (rows with status error).
run_smbsign() {
  local start; start=$(date +%s.%N)
  $SMBSIGN audit --remote -iL "$1" -u "$USER_NAME" --os server2025 --concurrency "$CONCURRENCY" --format csv > "$ROOT/smbsign.csv" || true
  T=$(echo "$(date +%s.%N) - $start" | bc)
  ROWS=$(($(wc -l < "$ROOT/smbsign.csv") - 1))
  ERRS=$(grep -c ',error,' "$ROOT/smbsign.csv" || true)
}
# N sequential impacket runs (one process, session, bind and read of every key each); sets T and FAILS.
run_impacket() {
  local start; start=$(date +%s.%N); FAILS=0
  for _ in $(seq "$1"); do
    echo "$PASSWORD" | /usr/bin/python3 tests/SmbSign.Cli.Tests/TestData/impacket-rrp-read.py 127.0.0.1 "$PORT" "$USER_NAME" "${KEYARGS[@]}" > "$ROOT/impacket.json" 2>&1 || FAILS=$((FAILS + 1))
  done
  T=$(echo "$(date +%s.%N) - $start" | bc)
}

# Both tools must really read the seeded values, or the timings compare failures.
grep -q '"RequireSecuritySignature": \[4, "1"\]' <(echo "$PASSWORD" | /usr/bin/python3 tests/SmbSign.Cli.Tests/TestData/impacket-rrp-read.py 127.0.0.1 "$PORT" "$USER_NAME" "${KEYARGS[@]}") \
  || { echo "impacket did not read the seeded values" >&2; exit 1; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)  ($(nproc) cores)"
echo "one smbd + samba-dcerpcd on 127.0.0.1:$PORT; every target a full signed session, logon, bind and read of ${#KEYARGS[@]} keys"
for n in $((N / 4)) "$N"; do
  targets "$n" > "$ROOT/targets-$n.txt"
  run_smbsign "$ROOT/targets-$n.txt"; s_t=$T
  [[ "$ERRS" == 0 && "$ROWS" -gt 0 ]] || { echo "smbsign: $ERRS of $ROWS rows are errors" >&2; head -5 "$ROOT/smbsign.csv" >&2; exit 1; }
  run_impacket "$n"; i_t=$T
  [[ "$FAILS" == 0 ]] || { echo "impacket: $FAILS of $n runs failed" >&2; tail -3 "$ROOT/impacket.json" >&2; exit 1; }
  echo "$n targets: smbsign --concurrency $CONCURRENCY ${s_t}s = $(echo "scale=1; $n / $s_t" | bc) hosts/s ($ROWS rows, 0 errors); impacket loop ${i_t}s = $(echo "scale=1; $n / $i_t" | bc) hosts/s; ratio $(echo "scale=1; $i_t / $s_t" | bc)x"
done

rss() { /usr/bin/time -f '%M' $SMBSIGN audit --remote -iL "$1" -u "$USER_NAME" --os server2025 --concurrency "$CONCURRENCY" --format csv 2>&1 >/dev/null | tail -1; }
echo "smbsign peak RSS: $((N / 4)) targets $(rss "$ROOT/targets-$((N / 4)).txt") KB, $N targets $(rss "$ROOT/targets-$N.txt") KB"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
