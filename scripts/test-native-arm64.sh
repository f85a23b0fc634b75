#!/usr/bin/env bash
# linux-arm64: the NativeAOT binary cross-compiled on this x64 machine (clang --target=aarch64-linux-gnu, lld, Debian's
# aarch64 cross libc). Checked: the publish succeeds with warnings as errors, the result is an AArch64 ELF executable,
# and it needs nothing but libc and libm (OpenSSL is loaded at run time, as on x64). Not run here: under qemu-user 7.2
# (Debian 12) the binary spins in user space right after installing its signal handlers, before printing anything, for
# every command, so emulation proves nothing about it; arm64 behaviour needs arm64 hardware.
# Ends with `native-arm64: N passed, N failed` (scripts/test.sh adds the counts to the suite's total).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$root/scripts/lib/check.sh"

if ! dotnet publish src/SmbSign.Cli -c Release -r linux-arm64 -p:PublishAot=true -p:LinkerFlavor=lld \
    -p:ObjCopyName=aarch64-linux-gnu-objcopy -o "$work/arm64" -nologo -v q >"$work/publish.log" 2>&1; then
  echo "  FAIL  cross-compile for linux-arm64 (see below)"; tail -20 "$work/publish.log"
  echo "native-arm64: 0 passed, 1 failed"
  exit 1
fi

bin="$work/arm64/smbsign"
check "the binary is an AArch64 ELF executable" 0 "^AArch64 ELF$" -- python3 -c \
  "import sys; h = open(sys.argv[1], 'rb').read(20); print('AArch64 ELF' if h[:4] == b'\\x7fELF' and h[18:20] == b'\\xb7\\x00' else 'not AArch64')" "$bin"
check "it needs only the loader, libc and libm (no .NET runtime; OpenSSL is loaded at run time)" 0 "^ld-linux-aarch64.so.1 libc.so.6 libm.so.6$" -- \
  bash -c "aarch64-linux-gnu-readelf -d '$bin' | sed -n 's/.*Shared library: \\[\\(.*\\)\\]/\\1/p' | sort | tr '\\n' ' ' | sed 's/ \$//'"
check "the publish printed no trim, AOT or compiler warning" 1 "" -- grep -Eq "warning (IL|CS)[0-9]+" "$work/publish.log"

echo "native-arm64: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
