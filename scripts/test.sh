#!/usr/bin/env bash
# SmbSign's whole test suite: installs Samba and friends when missing (as root), builds, runs every test
# project, and ends with one line `tests: N passed, N failed` summed over all projects.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

need_pkgs=()
command -v smbd >/dev/null 2>&1 || [[ -x /usr/sbin/smbd ]] || need_pkgs+=(samba)
command -v smbclient >/dev/null 2>&1 || need_pkgs+=(smbclient)
# The Kerberos tests run a Samba AD DC (tests/SmbSign.Testing/SambaAdDc.cs) and use MIT's kinit/klist/kvno and libgssapi.
# (samba-ad-dc brings winbindd and the DSDB modules; samba-ad-provision the templates samba-tool provisions from.)
[[ -x /usr/sbin/winbindd && -x /usr/sbin/samba ]] || need_pkgs+=(samba-ad-dc)
[[ -d /usr/share/samba/setup ]] || need_pkgs+=(samba-ad-provision)
command -v kinit >/dev/null 2>&1 || need_pkgs+=(krb5-user)
[[ -e /usr/lib/x86_64-linux-gnu/libgssapi_krb5.so.2 || -e /usr/lib/aarch64-linux-gnu/libgssapi_krb5.so.2 ]] || need_pkgs+=(libgssapi-krb5-2)
command -v tshark >/dev/null 2>&1 || need_pkgs+=(tshark)
command -v nmap >/dev/null 2>&1 || need_pkgs+=(nmap)
command -v openssl >/dev/null 2>&1 || need_pkgs+=(openssl)
# The posture store tests start their own PostgreSQL server (initdb + pg_ctl on a free loopback port).
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need_pkgs+=(postgresql)
# NativeAOT publish (scripts/test-native.sh): clang links, zlib1g-dev provides libz.a; dpkg-deb builds the .deb.
command -v clang >/dev/null 2>&1 || need_pkgs+=(clang)
[[ -e /usr/include/zlib.h ]] || need_pkgs+=(zlib1g-dev)
command -v dpkg-deb >/dev/null 2>&1 || need_pkgs+=(dpkg)
# linux-arm64 NativeAOT (scripts/test-native-arm64.sh): the aarch64 cross libc and gcc runtime, binutils and lld.
[[ -e /usr/aarch64-linux-gnu/lib/crt1.o ]] || need_pkgs+=(libc6-dev-arm64-cross)
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || need_pkgs+=(gcc-aarch64-linux-gnu)
command -v aarch64-linux-gnu-readelf >/dev/null 2>&1 || need_pkgs+=(binutils-aarch64-linux-gnu)
command -v ld.lld >/dev/null 2>&1 || need_pkgs+=(lld)
# ... and to run it: qemu-user with Debian's own arm64 libc and OpenSSL (multiarch packages, so the loader and libc are
# one glibc build; the script explains why that matters). The :arm64 packages need the arm64 architecture added first
# and are installed on their own, so that a failure there cannot keep Samba and the rest from being installed.
command -v qemu-aarch64 >/dev/null 2>&1 || need_pkgs+=(qemu-user)
need_arm64=()
[[ -e /lib/aarch64-linux-gnu/libc.so.6 ]] || need_arm64+=(libc6:arm64)
[[ -e /usr/lib/aarch64-linux-gnu/libssl.so.3 ]] || need_arm64+=(libssl3:arm64)
# The container test (scripts/test-container.sh) builds a Debian 12 minbase stand-in for the image's base with debootstrap.
command -v debootstrap >/dev/null 2>&1 || need_pkgs+=(debootstrap)
# The HTML report's browser test (SmbSign.Cli.Tests ReportBrowserTests) drives Debian's chromium over DevTools.
[[ -x /usr/bin/chromium ]] || need_pkgs+=(chromium)
# impacket interop tests use Debian's python3 (not whatever python3 is first on PATH).
{ [[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c 'import impacket.smb3' >/dev/null 2>&1; } || need_pkgs+=(python3-impacket)
# The JSON Schema tests (SmbSign.Cli.Tests JsonSchemaTests) validate real output with Debian's python3-jsonschema.
{ [[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c 'import jsonschema' >/dev/null 2>&1; } || need_pkgs+=(python3-jsonschema)
if ((${#need_pkgs[@]} + ${#need_arm64[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing missing Debian packages: ${need_pkgs[*]} ${need_arm64[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ((${#need_arm64[@]})) && ! dpkg --print-foreign-architectures | grep -qx arm64; then
      dpkg --add-architecture arm64
    fi
    apt-get update -qq >/dev/null 2>&1 || true
    if ((${#need_pkgs[@]})); then
      apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/tmp/smbsign-apt.log 2>&1 \
        || { echo "apt-get install failed; see /tmp/smbsign-apt.log"; tail -5 /tmp/smbsign-apt.log; }
    fi
    if ((${#need_arm64[@]})); then
      apt-get install -y -qq --no-install-recommends "${need_arm64[@]}" >/tmp/smbsign-apt-arm64.log 2>&1 \
        || { echo "apt-get install (arm64) failed; see /tmp/smbsign-apt-arm64.log"; tail -5 /tmp/smbsign-apt-arm64.log; }
    fi
  else
    echo "WARNING: missing ${need_pkgs[*]} ${need_arm64[*]} and not root: the tests that need them will FAIL (they never pass silently)."
  fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# The PowerShell tests parse every generated .ps1 with real PowerShell: pwsh on PATH, else the .NET tool in /opt/pwsh.
if ! command -v pwsh >/dev/null 2>&1 && [[ ! -x /opt/pwsh/pwsh ]]; then
  echo "Installing PowerShell 7.6.10 (dotnet tool) into /opt/pwsh"
  dotnet tool install --tool-path /opt/pwsh PowerShell --version 7.6.10 >/tmp/smbsign-pwsh.log 2>&1 \
    || { echo "pwsh install failed; see /tmp/smbsign-pwsh.log"; tail -5 /tmp/smbsign-pwsh.log; }
fi

results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

if ! dotnet build SmbSign.slnx -c Release -nologo -v quiet; then
  echo "build failed"
  echo "tests: 0 passed, 1 failed"
  exit 1
fi

status=0
for proj in tests/*.Tests/*.Tests.csproj; do
  name=$(basename "$proj" .csproj)
  echo "== $name"
  if ! dotnet test "$proj" -c Release --no-build -nologo -v quiet \
      --logger "trx;LogFileName=$name.trx" --results-directory "$results" -- RunConfiguration.TreatNoTestsAsError=false; then
    status=1
  fi
done

# TRX...: prints each file's counts, then a last line "PASSED FAILED SKIPPED" summed over them (error, timeout and
# aborted count as failed; a file without counters, as a crashed test host leaves, counts one failure).
trx_counts() {
  python3 - "$@" <<'PY'
import sys, xml.etree.ElementTree as ET
passed = failed = skipped = 0
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for path in sys.argv[1:]:
    try:
        counters = ET.parse(path).getroot().find("t:ResultSummary/t:Counters", ns)
    except (OSError, ET.ParseError):
        counters = None
    if counters is None:
        print(f"  {path.rsplit('/', 1)[-1]}: no results")
        failed += 1
        continue
    p = int(counters.get("passed", 0)); f = sum(int(counters.get(k, 0)) for k in ("failed", "error", "timeout", "aborted"))
    s = int(counters.get("notExecuted", 0))
    print(f"  {path.rsplit('/', 1)[-1]}: {p} passed, {f} failed, {s} skipped")
    passed += p; failed += f; skipped += s
print(passed, failed, skipped)
PY
}
trx_counts "$results"/*.Tests.trx >"$results/summary.txt"
sed '$d' "$results/summary.txt"
read -r passed failed skipped < <(tail -1 "$results/summary.txt")

# SCRIPT LABEL: runs a script that ends with `LABEL: N passed, N failed[, N skipped]` and adds its counts to the total.
run_counted_script() {
  local script=$1 label=$2 log="$results/$2.log" np nf
  bash "$script" >"$log" 2>&1
  cat "$log"
  if read -r _ np _ nf _ < <(grep -E "^$label: [0-9]+ passed, [0-9]+ failed" "$log" | tail -1); then
    passed=$((passed + np)); failed=$((failed + nf))
  else
    echo "$script printed no result line"
    failed=$((failed + 1))
  fi
}

# The shipped artefact: the .deb with the native AOT binary, installed into a fresh dpkg root, every command run. The
# .deb and its linux-x64 publish folder are kept in artifacts/native: the container test and the arm64 test (x64
# reference) use that binary instead of compiling it again.
export SMBSIGN_NATIVE_DIR="$root/artifacts/native"
rm -rf "$SMBSIGN_NATIVE_DIR"
echo "== native binary (.deb)"
run_counted_script scripts/test-native.sh native

# The CLI test suite once more, against that native binary: tests/SmbSign.Cli.Tests/CliHarness.cs runs each command as
# the process SMBSIGN_CLI_UNDER_TEST names (runs given their own clock or cancellation token stay in-process).
echo "== SmbSign.Cli.Tests against the native binary"
native_bin="$SMBSIGN_NATIVE_DIR/publish-linux-x64/smbsign"
if [[ -x $native_bin ]]; then
  if ! SMBSIGN_CLI_UNDER_TEST="$native_bin" dotnet test tests/SmbSign.Cli.Tests/SmbSign.Cli.Tests.csproj -c Release --no-build -nologo -v quiet \
      --logger "trx;LogFileName=SmbSign.Cli.Tests.native.trx" --results-directory "$results" -- RunConfiguration.TreatNoTestsAsError=false; then
    status=1
  fi
  trx_counts "$results/SmbSign.Cli.Tests.native.trx" >"$results/native-cli.txt"
  sed '$d' "$results/native-cli.txt"
  read -r np nf _ < <(tail -1 "$results/native-cli.txt")
  passed=$((passed + np)); failed=$((failed + nf))
else
  echo "  no native binary at $native_bin (the .deb build failed above): the CLI tests did not run against it"
  failed=$((failed + 1))
fi

# packaging/Dockerfile: its final stage followed on a Debian 12 stand-in for runtime-deps (no Docker engine here), with
# the binary test-native.sh published (the same command, which the test checks).
echo "== container definition"
run_counted_script scripts/test-container.sh container

# linux-arm64: the cross-compiled NativeAOT binary, built, inspected and run under qemu-user (see the script).
echo "== native binary (linux-arm64, cross-compiled)"
run_counted_script scripts/test-native-arm64.sh native-arm64

# win-x64 and osx-arm64: ILC compiles the app for the other OS up to its object file (no link; see the script).
echo "== native AOT compile for win-x64 and osx-arm64 (ILC only)"
run_counted_script scripts/test-native-cross-os.sh native-cross-os

expected=$(ls tests/*.Tests/*.Tests.csproj | wc -l)
found=$(ls "$results"/*.Tests.trx 2>/dev/null | wc -l)
if [[ $found -lt $expected ]]; then
  echo "only $found of $expected test projects produced results (a test host crashed?)"
  failed=$((failed + expected - found))
fi
if [[ $failed -gt 0 ]]; then status=1; fi
echo "tests: $passed passed, $failed failed"
exit $status
