#!/usr/bin/env bash
# win-x64 and osx-arm64: the NativeAOT compiler (ILC) run for another operating system, up to its object file.
#
# .NET cannot link a native binary for another OS (no MSVC link.exe and Windows SDK libraries, no Apple ld64 and macOS
# SDK here), so this stops after ILC: scripts/lib/ilc-compile-only.targets replaces the two ILCompiler targets that need
# the linked binary; everything before them is the SDK's own publish with the target's real ILCompiler and NativeAOT
# runtime packages from NuGet. For win-x64 the SDK refuses by default ("Cross-OS native compilation is not supported",
# Microsoft.NETCore.Native.Publish.targets) unless DisableUnsupportedError=true; that guard exists because of the link
# step, which is not run. IlcUseEnvironmentalTools=true skips the search for Visual Studio's linker (a .bat file).
#
# Checked per target: the publish succeeds with warnings as errors (ILC gets --warnaserror, so a trim or AOT warning
# fails it) and prints no IL or CS warning; ILC was given the target OS and that target's NativeAOT framework; the object
# file has the target's format (COFF x64 for Windows, Mach-O arm64 for macOS); Windows-only code (the live-registry
# reader's registry access, behind OperatingSystem.IsWindows(), which ILC treats as a constant for the target: the
# linux-x64 object has neither symbol checked here) was compiled into the Windows object.
# Not checked (cannot be here): linking, and running the binary.
#
# A target whose ILCompiler packages the NuGet source does not offer (NU1101) is reported as SKIP, not passed.
# Ends with `native-cross-os: N passed, N failed, N skipped` (scripts/test.sh adds the first two to the suite's total).
set -uo pipefail
source "$(dirname "$0")/lib/check.sh" # root, work, check()
source scripts/lib/native-publish.sh
skipped=0

# OBJECT EXPECTED: prints the object file's format from its header bytes, as "COFF x64", "Mach-O arm64" or "other".
object_format() {
  python3 - "$1" <<'PY'
import struct, sys
h = open(sys.argv[1], "rb").read(64)
fmt = "other"
# ILC writes large COFF objects in the /bigobj layout: Sig1 0, Sig2 0xFFFF, Version 2, then Machine.
if len(h) >= 8 and struct.unpack_from("<HHH", h, 0) == (0, 0xFFFF, 2):
    fmt = "COFF x64" if struct.unpack_from("<H", h, 6)[0] == 0x8664 else "COFF other"
elif len(h) >= 2 and struct.unpack_from("<H", h, 0)[0] == 0x8664:
    fmt = "COFF x64"
elif len(h) >= 8 and struct.unpack_from("<I", h, 0)[0] == 0xFEEDFACF:
    fmt = "Mach-O arm64" if struct.unpack_from("<I", h, 4)[0] == 0x0100000C else "Mach-O other"
print(fmt)
PY
}

cross_compile() { # RID FORMAT TARGETOS
  local rid=$1 format=$2 targetos=$3 log="$work/$1.log" out="$work/$1"
  local extra=()
  [[ $targetos == win ]] && extra=(-p:DisableUnsupportedError=true -p:IlcUseEnvironmentalTools=true)
  echo "-- $rid"
  # A fresh ILC run every time (the publish is otherwise incremental and would reuse an old object file).
  rm -rf "src/SmbSign.Cli/obj/Release/net10.0/$rid/native"
  local start=$SECONDS
  native_publish "$rid" "$out" "${extra[@]}" -p:AfterMicrosoftNETSdkTargets="$root/scripts/lib/ilc-compile-only.targets" >"$log" 2>&1
  local rc=$?
  if [[ $rc -ne 0 ]] && grep -Eq "NU1101: Unable to find package (runtime\.$rid\.Microsoft\.DotNet\.ILCompiler|Microsoft\.NETCore\.App\.Runtime\.NativeAOT\.$rid)" "$log"; then
    skipped=$((skipped + 1))
    echo "  SKIP  $rid: the NuGet source has no NativeAOT compiler package for $rid ($(grep -Eo "NU1101: Unable to find package [A-Za-z0-9.-]*[A-Za-z0-9]" "$log" | sort -u | head -1 | sed 's/.* package //'), NU1101)"
    return
  fi
  check "$rid: ILC compiles the app (warnings as errors) in $((SECONDS - start)) s" 0 "" -- test "$rc" -eq 0
  if [[ $rc -ne 0 ]]; then
    grep -E "error|warning" "$log" | head -10 | sed 's/^/        /'
    return
  fi
  check "$rid: no trim, AOT or compiler warning printed" 1 "" -- grep -Eq "warning (IL|CS)[0-9]+" "$log"
  local rsp obj
  rsp=$(ls src/SmbSign.Cli/obj/Release/net10.0/"$rid"/native/smbsign.ilc.rsp 2>/dev/null)
  check "$rid: ILC targeted $targetos with warnings as errors and the $rid NativeAOT framework" 0 "^ok$" -- bash -c \
    "grep -qx -- '--targetos:$targetos' '$rsp' && grep -qx -- '--warnaserror' '$rsp' && grep -qi -- '^-r:.*microsoft\.netcore\.app\.runtime\.nativeaot\.$rid/.*System\.Private\.CoreLib\.dll$' '$rsp' && echo ok"
  obj=$(ls "$out"/smbsign.obj "$out"/smbsign.o 2>/dev/null | head -1)
  check "$rid: the object file is $format" 0 "^$format\$" -- object_format "${obj:-$out/missing}"
  if [[ $targetos == win ]]; then
    check "$rid: Windows-only code (LiveRegistryReader.ReadWindows, RegistryKey.OpenBaseKey) is compiled in" 0 "^2$" -- bash -c \
      "strings -n 30 '$obj' | grep -Ec '^(SmbSign_Policy_SmbSign_Policy_Formats_LiveRegistry_LiveRegistryReader__ReadWindows|Microsoft_Win32_Registry_Microsoft_Win32_RegistryKey__OpenBaseKey)\$'"
  fi
}

cross_compile win-x64 "COFF x64" win
cross_compile osx-arm64 "Mach-O arm64" osx

echo "native-cross-os: $passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
