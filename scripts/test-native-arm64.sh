#!/usr/bin/env bash
# linux-arm64: the NativeAOT binary cross-compiled on this x64 machine (clang --target=aarch64-linux-gnu, lld, Debian's
# aarch64 cross libc), then RUN under qemu-user (Debian 12's qemu-aarch64 7.2) with Debian's own arm64 libc6 and
# libssl3 (multiarch; scripts/test.sh adds the arm64 architecture and installs them). Checked: the publish succeeds with
# warnings as errors; the result is an AArch64 ELF that needs only the loader, libc and libm; it reports native AOT,
# arm64 and no AES-NI; explain, matrix, evaluate, audit (table/JSON/SARIF), an unknown option and signature
# (HMAC-SHA256, AES-CMAC, AES-GMAC) exit as the x64 NativeAOT build does and print the same output, generatedAt and the commit
# hash aside; AES-CMAC gives the signature Microsoft published for its 3.1.1 message; bench signing runs to the end.
# Not proven by emulation: speed, and a real arm64 CPU (qemu emulates the instructions; its default CPU advertises AES
# and PMULL, so OpenSSL's ARMv8 crypto code runs, emulated). Also the same as x64: capture (JSON), fix (the .reg
# files), report (the HTML page), audit --db and history (SQLite); listen runs on loopback. Not run on arm64: scan and
# verify (they need a server).
#
# Why the loader and libc must be one build: `qemu-aarch64 -L /usr/aarch64-linux-gnu`, the way it was first tried,
# takes the loader from the cross package (libc6-arm64-cross 2.36-8cross1) but, once libc6:arm64 is installed, the
# libraries from /lib/aarch64-linux-gnu (2.36-9+deb12u14). Their private _rtld_global differs in size (0x11a0 vs 0x11a8
# bytes), so libc's pthread_create walks the loader's stack-cache list at the wrong offset and loops for ever: that was
# the "spin after the signal handlers" (the runtime's first pthread_create). `-L /` keeps both from libc6:arm64.
# Ends with `native-arm64: N passed, N failed` (scripts/test.sh adds the counts to the suite's total).
set -uo pipefail
source "$(dirname "$0")/lib/check.sh" # root, work, check()
started=$SECONDS

source scripts/lib/native-publish.sh
if ! native_publish linux-arm64 "$work/arm64" -p:LinkerFlavor=lld -p:ObjCopyName=aarch64-linux-gnu-objcopy >"$work/publish.log" 2>&1; then
  echo "  FAIL  cross-compile for linux-arm64 (see below)"; tail -20 "$work/publish.log"
  echo "native-arm64: 0 passed, 1 failed"
  exit 1
fi
published=$SECONDS

bin="$work/arm64/smbsign"
check "the binary is an AArch64 ELF executable" 0 "^AArch64 ELF$" -- python3 -c \
  "import sys; h = open(sys.argv[1], 'rb').read(20); print('AArch64 ELF' if h[:4] == b'\\x7fELF' and h[18:20] == b'\\xb7\\x00' else 'not AArch64')" "$bin"
check "it needs only the loader, libc and libm (no .NET runtime; OpenSSL is loaded at run time)" 0 "^ld-linux-aarch64.so.1 libc.so.6 libm.so.6$" -- \
  bash -c "aarch64-linux-gnu-readelf -d '$bin' | sed -n 's/.*Shared library: \\[\\(.*\\)\\]/\\1/p' | sort | tr '\\n' ' ' | sed 's/ \$//'"
check "the publish printed no trim, AOT or compiler warning" 1 "" -- grep -Eq "warning (IL|CS)[0-9]+" "$work/publish.log"

# The x64 reference: the x64 NativeAOT build of the same sources, so that only the architecture differs. Under
# scripts/test.sh it is scripts/test-native.sh's (SMBSIGN_NATIVE_DIR); run on its own, this script publishes it.
x64bin="${SMBSIGN_NATIVE_DIR:-}/publish-linux-x64/smbsign"
if [[ -z ${SMBSIGN_NATIVE_DIR:-} || ! -x $x64bin ]]; then
  x64bin="$work/x64/smbsign"
  if ! native_publish linux-x64 "$work/x64" >"$work/build.log" 2>&1; then
    echo "  FAIL  x64 native publish of src/SmbSign.Cli (see below)"; tail -20 "$work/build.log"
    failed=$((failed + 1)); echo "native-arm64: $passed passed, $failed failed"; exit 1
  fi
fi
built=$SECONDS

# Both sides get the same environment: no colour, a fixed width for tables, no key unless a check sets one.
export NO_COLOR=1 COLUMNS=120
unset SMBSIGN_KEY SMBSIGN_PASSWORD
# -L / : no path remapping, so qemu's loader is /lib/ld-linux-aarch64.so.1 and the libraries are its own (libc6:arm64).
arm() { env -u QEMU_LD_PREFIX qemu-aarch64 -L / "$bin" "$@"; }
x64() { "$x64bin" "$@"; }

check "the arm64 loader and libc come from one package (one glibc build)" 0 "^libc6:arm64 libc6:arm64$" -- \
  bash -c "dpkg-query -S /lib/aarch64-linux-gnu/ld-linux-aarch64.so.1 /lib/aarch64-linux-gnu/libc.so.6 | cut -d: -f1,2 | tr '\\n' ' ' | sed 's/ \$//'"
check "arm64 OpenSSL (libssl3:arm64) is installed for the crypto commands" 0 "" -- test -e /usr/lib/aarch64-linux-gnu/libssl.so.3

# The commit hash in toolVersion is masked: an incremental build can keep the hash of the commit it last compiled.
norm() { sed -E -e 's/"generatedAt": "[^"]*"/"generatedAt": "(time)"/' -e 's/\+[0-9a-f]{40}/+(commit)/g' \
  -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z/(time)/g'; }
# agree WANT PATTERN ARM64_OUTPUT ARM64_EXIT X64_OUTPUT X64_EXIT: the comparison both helpers below make.
agree() {
  local want=$1 pattern=$2 a=$3 ra=$4 b=$5 rb=$6
  if [[ $ra -ne $want || $rb -ne $want ]]; then echo "exit: arm64 $ra, x64 $rb, wanted $want"; head -3 <<<"$a"; return 1; fi
  if ! grep -Eq -- "$pattern" <<<"$a"; then echo "arm64 output lacks '$pattern':"; head -3 <<<"$a"; return 1; fi
  if ! diff <(norm <<<"$b") <(norm <<<"$a") >"$work/diff"; then echo "arm64 output differs from x64:"; head -6 "$work/diff"; return 1; fi
}
# same_as_x64 EXIT PATTERN ARGS...: runs ARGS on arm64 (qemu) and on x64; both must exit EXIT, print the same
# stdout+stderr (generatedAt and the commit hash aside), and the arm64 output must match PATTERN (so "identical" is
# never two empty outputs).
same_as_x64() {
  local want=$1 pattern=$2; shift 2
  local a b ra rb
  a=$(arm "$@" 2>&1); ra=$?
  b=$(x64 "$@" 2>&1); rb=$?
  agree "$want" "$pattern" "$a" "$ra" "$b" "$rb" || return 1
  echo "same as x64 ($(wc -l <<<"$a") lines)"
}

fleet="$root/samples/fleet"
check "--version runs under qemu: native AOT, arm64, no AES-NI" 0 "^crypto +AES-NI not available" -- \
  bash -c "out=\$(env -u QEMU_LD_PREFIX qemu-aarch64 -L / '$bin' --version) && grep -q 'native AOT' <<<\"\$out\" && grep -q '(arm64)\$' <<<\"\$out\" && echo \"\$out\""
check "version --format json: architecture arm64, nativeAot, aesNi and pclmulqdq false" 0 "^arm64 nativeAot no-aesni no-pclmulqdq$" -- \
  bash -c "env -u QEMU_LD_PREFIX qemu-aarch64 -L / '$bin' version --format json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d[\"generatedAt\"] and d[\"toolVersion\"], d
print(d[\"architecture\"], \"nativeAot\" if d[\"nativeAot\"] is True else \"jit\",
      \"aesni\" if d[\"aesNi\"] else \"no-aesni\", \"pclmulqdq\" if d[\"pclmulqdq\"] else \"no-pclmulqdq\")'"
check "explain client.RequireSecuritySignature: same as x64" 0 "^same as x64" -- \
  same_as_x64 0 "RequireSecuritySignature" explain client.RequireSecuritySignature
check "explain --format json: same as x64" 0 "^same as x64" -- \
  same_as_x64 0 '"valueName": "RequireSecuritySignature"' explain client.RequireSecuritySignature --format json
check "matrix: same as x64" 0 "^same as x64" -- same_as_x64 0 "Require=1" matrix
check "matrix --format json: same as x64" 0 "^same as x64" -- same_as_x64 0 '"generatedAt"' matrix --format json
check "evaluate --format json: same as x64" 0 "^same as x64" -- same_as_x64 0 '"outcome": "not-signed"' \
  evaluate --client RequireSecuritySignature=0 --server RequireSecuritySignature=0 --dialect 3.1.1 --format json
check "audit a failing export (table): exit 1, same as x64" 0 "^same as x64" -- \
  same_as_x64 1 "FAIL .*ws-win10-01" audit "$fleet/ws-win10-01.reg"
check "audit the sample fleet --format json: exit 1, same as x64" 0 "^same as x64" -- \
  same_as_x64 1 '"machines"' audit "$fleet" --format json
check "audit the sample fleet --format sarif: exit 1, same as x64" 0 "^same as x64" -- \
  same_as_x64 1 '"version": "2.1.0"' audit "$fleet" --format sarif
check "a usage error exits 2 with the same message as x64" 0 "^same as x64" -- \
  same_as_x64 2 "no-such-option" audit "$fleet" --no-such-option

# Signatures: Microsoft's published SMB 3.1.1 SESSION_SETUP response and its SigningKey (docs/cli/signature.md), and
# a 4 KiB message (that header and 4032 random bytes, new each run) so the MACs run over many blocks. On x64 AES-CMAC
# and AES-GMAC take the AES-NI/PCLMULQDQ path; on arm64 the portable one: the hex must agree all the same.
ms_key=73FE7A9A77BEF0BDE49C650D8CCB5F76
ms_msg=FE534D4240000100000000000100800009000000000000000300000000000000FFFE0000000000001900000000100000EBE146DA120BA25FC3376A49DFE31BC10900000048001D00A11B3019A0030A0100A3120410010000003B453CDC3524164200000000
export SMBSIGN_KEY=$ms_key
check "signature AES-CMAC of Microsoft's 3.1.1 vector matches its signature (EBE146DA…)" 0 "^same as x64" -- \
  same_as_x64 0 '"signature": "EBE146DA120BA25FC3376A49DFE31BC1"' signature --dialect 3.1.1 -a cmac "$ms_msg" --format json
check "signature with one byte changed: matches false, exit 1, same as x64" 0 "^same as x64" -- \
  same_as_x64 1 '"matches": false' signature -a cmac "${ms_msg%00}01" --format json
python3 -c "
import os, sys
open(sys.argv[2], 'wb').write(bytes.fromhex(sys.argv[1])[:64] + os.urandom(4096 - 64))" "$ms_msg" "$work/msg4k.bin"
for alg in hmac cmac gmac; do
  check "signature $alg over a 4 KiB message: same hex as x64" 0 "^same as x64" -- \
    same_as_x64 1 '"signature": "[0-9A-F]{32}"' signature -a "$alg" --file "$work/msg4k.bin" --format json
done
unset SMBSIGN_KEY
check "bench signing (short run, all four algorithms) completes" 0 "AES-GMAC" -- \
  arm bench signing --sizes 128,4K --seconds 0.05

# Commands that read and write files: each side runs the same shell lines in the same, freshly emptied folder (so
# absolute paths in the output agree), and what they print and the files they leave must be the same.
# same_session_as_x64 EXIT PATTERN "FILES" 'LINES': LINES run by bash with $S standing for smbsign; FILES are compared
# after the same normalisation as the output (times and the commit hash).
same_session_as_x64() {
  local want=$1 pattern=$2 files=$3 lines=$4 side rc f
  local -A out code
  for side in arm64 x64; do
    rm -rf "$work/session" "$work/files-$side" && mkdir -p "$work/session" "$work/files-$side"
    if [[ $side == arm64 ]]; then S="env -u QEMU_LD_PREFIX qemu-aarch64 -L / $bin"; else S=$x64bin; fi
    out[$side]=$(cd "$work/session" && S=$S bash -c "$lines" 2>&1); code[$side]=$?
    for f in $files; do [[ -f $work/session/$f ]] && norm <"$work/session/$f" >"$work/files-$side/$(basename "$f")"; done
  done
  agree "$want" "$pattern" "${out[arm64]}" "${code[arm64]}" "${out[x64]}" "${code[x64]}" || return 1
  for f in $files; do
    [[ -s $work/files-arm64/$(basename "$f") ]] || { echo "arm64 left no $f"; return 1; }
    cmp -s "$work/files-x64/$(basename "$f")" "$work/files-arm64/$(basename "$f")" || { echo "$f differs from x64's"; return 1; }
  done
  echo "same as x64 ($(wc -l <<<"${out[arm64]}") lines; files: ${files:-none})"
}
capture="$root/tests/SmbSign.Capture.Tests/TestData/captures/smb311-gmac-signed.pcapng"
check "capture of a recorded SMB 3.1.1 session --format json: same as x64" 0 "^same as x64" -- \
  same_as_x64 0 '"connections"' capture "$capture" --format json
# fix prints a signing speed it measures, so only the files it writes are compared (they hold no measurement).
check "fix --baseline signing -t reg: the same apply.reg and rollback.reg as x64" 0 "^same as x64" -- \
  same_session_as_x64 0 "^exit 0$" "fix/apply.reg fix/rollback.reg" '$S fix --baseline signing -t reg -o fix >/dev/null; echo "exit $?"'
check "report: the same self-contained HTML page from an audit as x64" 0 "^same as x64" -- \
  same_session_as_x64 0 "wrote report.html" "report.html" "\$S audit '$fleet' --format json -o audit.json; \$S report audit.json -o report.html"
check "audit --db twice, then history --format json (SQLite, the arm64 libe_sqlite3.so): same as x64" 0 "^same as x64" -- \
  same_session_as_x64 0 '"comparisons"' "" "\$S audit '$fleet/ws-win10-01.reg' --db posture.db >/dev/null; \$S audit '$fleet/ws-win10-01.reg' --db posture.db >/dev/null; \$S history --db posture.db --format json"
check "listen on loopback for a second reports as JSON" 0 '"generatedAt"' -- \
  arm listen --address 127.0.0.1 --port 0 --duration 1 --format json

echo "  (wall: publish $((published - started)) s, x64 reference $((built - published)) s, runs $((SECONDS - built)) s; CPU s, user/system, this shell then children:)"
times
echo "native-arm64: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
