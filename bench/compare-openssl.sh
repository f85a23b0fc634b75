#!/usr/bin/env bash
# Compares SmbSign's SMB signing engine with OpenSSL on this machine, both measured in the same run, single-threaded:
#   GMAC  (smbsign AES-128-GMAC signing)  vs  openssl speed -evp aes-128-gcm   (AES-GCM, the same primitives)
#   CMAC  (smbsign AES-128-CMAC signing)  vs  openssl speed -evp aes-128-cbc   (CBC-MAC is CBC encryption's chain)
#   HMAC  (smbsign HMAC-SHA256 signing)   vs  openssl speed -hmac sha256
# at 64 KiB, plus AES-GMAC signatures/s on 128-byte messages. Each pair runs ROUNDS times, alternating, and the best
# of each side is kept (the machine may be shared). Prints one line per algorithm:
#   ALG: smbsign X GB/s, openssl Y GB/s, ratio Z
# Usage: bench/compare-openssl.sh            (SECONDS_PER=2 ROUNDS=3 by default)
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER=${SECONDS_PER:-2}
ROUNDS=${ROUNDS:-3}
SIZE=65536

command -v openssl >/dev/null 2>&1 || { echo "compare-openssl: openssl is not installed (apt-get install openssl)" >&2; exit 2; }
command -v python3 >/dev/null 2>&1 || { echo "compare-openssl: python3 is needed to read the JSON results" >&2; exit 2; }
command -v dotnet >/dev/null 2>&1 || { echo "compare-openssl: dotnet is not installed" >&2; exit 2; }

echo "Building smbsign (Release)..." >&2
dotnet build src/SmbSign.Cli -c Release -nologo -v quiet >/dev/null
smbsign_dll="src/SmbSign.Cli/bin/Release/net10.0/smbsign.dll"

# GB/s (10^9 bytes/s) from `openssl speed -elapsed -seconds N -bytes B ...`, whose last line ends in "<1000s of bytes/s>k".
openssl_gbps() {
  local bytes=$1; shift
  openssl speed -elapsed -seconds "$SECONDS_PER" -bytes "$bytes" "$@" 2>/dev/null \
    | awk 'NF > 1 && $NF ~ /^[0-9.]+k$/ { v = $NF } END { sub(/k$/, "", v); if (v == "") exit 1; printf "%.4f\n", v * 1000 / 1e9 }'
}

# "<GB/s> <signatures/s>" from `smbsign bench signing` for one algorithm and size.
smbsign_measure() {
  local algorithm=$1 bytes=$2
  dotnet "$smbsign_dll" bench signing --algorithms "$algorithm" --sizes "$bytes" --seconds "$SECONDS_PER" --format json \
    | python3 -c 'import json, sys; r = json.load(sys.stdin)["results"][0]; print(r["gigabytesPerSecond"], r["signaturesPerSecond"])'
}

max() { python3 -c 'import sys; print(max(float(a) for a in sys.argv[1:]))' "$@"; }

compare() {
  local label=$1 algorithm=$2; shift 2
  local ours=() theirs=()
  for ((round = 1; round <= ROUNDS; round++)); do
    theirs+=("$(openssl_gbps "$SIZE" "$@")")
    ours+=("$(smbsign_measure "$algorithm" "$SIZE" | cut -d' ' -f1)")
  done
  local o t
  o=$(max "${ours[@]}")
  t=$(max "${theirs[@]}")
  python3 -c 'import sys; l, o, t = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]); print(f"{l}: smbsign {o:.3f} GB/s, openssl {t:.3f} GB/s, ratio {o / t:.2f}")' "$label" "$o" "$t"
}

echo "SmbSign vs OpenSSL ($(openssl version | cut -d' ' -f1-2)), ${SIZE}-byte messages, ${SECONDS_PER} s per measurement, best of ${ROUNDS}, one core:"
compare "GMAC" gmac -evp aes-128-gcm
compare "CMAC" cmac -evp aes-128-cbc
compare "HMAC-SHA256" hmac -hmac sha256

small=()
openssl_small=()
for ((round = 1; round <= ROUNDS; round++)); do
  small+=("$(smbsign_measure gmac 128 | cut -d' ' -f2)")
  openssl_small+=("$(openssl_gbps 128 -evp aes-128-gcm)")
done
python3 -c 'import sys; s = float(sys.argv[1]); g = float(sys.argv[2]); print(f"GMAC 128 B: smbsign {s / 1e6:.2f} M signatures/s per core (target >= 1.5 M), openssl aes-128-gcm {g * 1e9 / 128 / 1e6:.2f} M operations/s")' \
  "$(max "${small[@]}")" "$(max "${openssl_small[@]}")"
