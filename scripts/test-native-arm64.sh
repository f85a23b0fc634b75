#!/usr/bin/env bash
# linux-arm64: the NativeAOT binary cross-compiled on this x64 machine (clang --target=aarch64-linux-gnu, lld, Debian's
# aarch64 cross libc) and run under qemu-aarch64 user-mode emulation. On arm64 there is no AES-NI, so CMAC, GMAC and the
# Kerberos AES-CTS code take the portable paths through the platform's OpenSSL (Debian's libssl3:arm64): the checks
# compare the arm64 binary's JSON with the JIT build's JSON for the same inputs, field for field, apart from the
# time stamp and tool version. Emulated speed means nothing, so nothing here is timed.
# Ends with `native-arm64: N passed, N failed` (scripts/test.sh adds the counts to the suite's total).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

check() { # NAME EXPECTED_EXIT PATTERN -- COMMAND...: runs COMMAND, compares its exit code and greps stdout+stderr
  local name=$1 want=$2 pattern=$3; shift 4
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [[ $rc -eq $want ]] && grep -Eq -- "$pattern" <<<"$out"; then
    passed=$((passed + 1)); echo "  ok    $name"
  else
    failed=$((failed + 1)); echo "  FAIL  $name (exit $rc, wanted $want; pattern '$pattern')"; head -5 <<<"$out" | sed 's/^/        /'
  fi
}

# The JSON of one command from both builds, minus the fields that name the build or the moment.
same_json() { # NAME EXPECTED_EXIT -- ARGS...: runs ARGS with the arm64 binary and the JIT build, compares the JSON
  local name=$1 want=$2; shift 3
  "${arm[@]}" "$@" >"$work/arm.json" 2>"$work/arm.err"; local rc=$?
  "${jit[@]}" "$@" >"$work/jit.json" 2>/dev/null
  if [[ $rc -eq $want ]] && python3 - "$work/arm.json" "$work/jit.json" <<'PY'
import json, sys
def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in ("generatedAt", "toolVersion")}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node
a, j = (strip(json.load(open(p))) for p in sys.argv[1:3])
sys.exit(0 if a == j and a else 1)
PY
  then
    passed=$((passed + 1)); echo "  ok    $name"
  else
    failed=$((failed + 1)); echo "  FAIL  $name (exit $rc, wanted $want; arm64 and JIT JSON differ or are empty)"
    head -3 "$work/arm.err" | sed 's/^/        /'
  fi
}

if ! dotnet publish src/SmbSign.Cli -c Release -r linux-arm64 -p:PublishAot=true -p:LinkerFlavor=lld \
    -p:ObjCopyName=aarch64-linux-gnu-objcopy -o "$work/arm64" -nologo -v q >"$work/publish.log" 2>&1; then
  echo "  FAIL  cross-compile for linux-arm64 (see below)"; tail -20 "$work/publish.log"
  echo "native-arm64: 0 passed, 1 failed"
  exit 1
fi

bin="$work/arm64/smbsign"
arm=(qemu-aarch64 -L /usr/aarch64-linux-gnu "$bin")
dotnet build src/SmbSign.Cli -c Release -nologo -v q >/dev/null 2>&1
jit=(dotnet "$root/src/SmbSign.Cli/bin/Release/net10.0/smbsign.dll")
fleet="$root/samples/fleet"
captures="$root/tests/SmbSign.Capture.Tests/TestData/captures"
export SMBSIGN_PASSWORD='SmbSign-Test-1!'

check "the binary is an AArch64 ELF executable" 0 "^AArch64 ELF$" -- python3 -c \
  "import sys; h = open(sys.argv[1], 'rb').read(20); print('AArch64 ELF' if h[:4] == b'\\x7fELF' and h[18:20] == b'\\xb7\\x00' else 'not AArch64')" "$bin"
check "--version under qemu: native AOT on Arm64, portable crypto" 0 "native AOT" -- "${arm[@]}" --version
check "version --format json: no AES-NI on arm64" 0 '"aesNi": false' -- "${arm[@]}" version --format json
check "explain" 0 "RequireSecuritySignature" -- "${arm[@]}" explain client.RequireSecuritySignature
same_json "evaluate: same outcome as the JIT build" 0 -- \
  evaluate --client RequireSecuritySignature=0 --server RequireSecuritySignature=0 --dialect 3.1.1 --format json
same_json "audit the sample fleet: same JSON as the JIT build" 1 -- audit "$fleet" --format json
same_json "capture SMB 3.1.1 AES-GMAC (password): same verdicts as the JIT build" 0 -- \
  capture "$captures/smb311-gmac-signed.pcapng" --format json
same_json "capture SMB1 MD5 signing (password): same verdicts as the JIT build" 0 -- \
  capture "$captures/smb1-nt1-signed.pcapng" --format json
same_json "capture Kerberos AES-256 (keytab, AES-CTS on OpenSSL): same verdicts as the JIT build" 0 -- \
  capture "$captures/smb3-kerberos-aes256.pcapng" --keytab "$captures/smb3-kerberos-cifs.keytab" --format json
check "signature: AES-CMAC on the portable path" 0 "\"matches\": true" -- env SMBSIGN_KEY=73FE7A9A77BEF0BDE49C650D8CCB5F76 \
  "${arm[@]}" signature --dialect 3.1.1 -a cmac FE534D4240000100000000000100800009000000000000000300000000000000FFFE0000000000001900000000100000EBE146DA120BA25FC3376A49DFE31BC10900000048001D00A11B3019A0030A0100A3120410010000003B453CDC3524164200000000 --format json
check "bench signing runs every algorithm" 0 "AES-GMAC" -- "${arm[@]}" bench signing --sizes 4K --seconds 0.05
check "a missing file is one line and exit 2" 2 "smbsign: " -- "${arm[@]}" audit "$work/missing.reg"

echo "native-arm64: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
