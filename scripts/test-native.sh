#!/usr/bin/env bash
# The shipped artefact, tested as a user gets it: builds the .deb (native AOT binary, man page, completions) with
# scripts/package-deb.sh, installs it into a fresh dpkg root (dpkg --root, its own status database), and runs every
# command of the installed /usr/bin/smbsign, checking exit codes and output. Ends with `native: N passed, N failed`
# (scripts/test.sh adds the counts to the suite's total).
set -uo pipefail
source "$(dirname "$0")/lib/check.sh" # root, work, check()

# The .NET tool package first, while the tree is restored as scripts/test.sh's plain build left it (after the native
# publish, the app's restore outputs are the RID's, and the plain build inside `dotnet pack` would compile it again).
dotnet pack src/SmbSign.Cli -c Release -o "$work/nupkg" -nologo -v q >"$work/pack.log" 2>&1
pack_rc=$?

# The native publish and the .deb; under scripts/test.sh into SMBSIGN_NATIVE_DIR, whose publish folder the container
# and arm64 tests use after this (scripts/test-container.sh, scripts/test-native-arm64.sh).
if ! deb=$(bash scripts/package-deb.sh "${SMBSIGN_NATIVE_DIR:-$work/deb}" 2>"$work/package.log" | tail -1) || [[ ! -f $deb ]]; then
  echo "  FAIL  package-deb.sh (see below)"; tail -20 "$work/package.log"
  echo "native: 0 passed, 1 failed"
  exit 1
fi

# A clean dpkg root: only the package database, then the package (its Depends are the host's libc and OpenSSL).
dpkgroot="$work/root"
mkdir -p "$dpkgroot/var/lib/dpkg/updates" "$dpkgroot/var/lib/dpkg/info"
touch "$dpkgroot/var/lib/dpkg/status" "$dpkgroot/var/lib/dpkg/available"
check "dpkg --root installs the package" 0 "" -- \
  dpkg --root="$dpkgroot" --force-depends --force-not-root --force-script-chrootless -i "$deb"
bin="$dpkgroot/usr/bin/smbsign"
check "package lists /usr/bin/smbsign, the man page and completions" 0 "usr/share/man/man1/smbsign.1.gz" -- \
  dpkg --root="$dpkgroot" -L smbsign
check "installed binary is native (no .NET runtime needed)" 0 "native AOT" -- env -u DOTNET_ROOT "$bin" --version

fleet="$root/samples/fleet"
capture="$root/tests/SmbSign.Capture.Tests/TestData/captures/smb311-gmac-signed.pcapng"
check "--version: version, commit, crypto paths" 0 "commit .*[0-9a-f]{7}" -- "$bin" --version
check "version --format json" 0 '"aesNi"' -- "$bin" version --format json
check "explain" 0 "RequireSecuritySignature" -- "$bin" explain client.RequireSecuritySignature
check "matrix --smb2" 0 "RequireSecuritySignature|signed" -- "$bin" matrix --smb2
check "evaluate --format json" 0 '"outcome": "not-signed"' -- \
  "$bin" evaluate --client RequireSecuritySignature=0 --server RequireSecuritySignature=0 --dialect 3.1.1 --format json
check "audit a failing export exits 1" 1 "ws-win10-01" -- "$bin" audit "$fleet/ws-win10-01.reg"
check "audit the sample fleet as JSON" 1 '"machines"' -- "$bin" audit "$fleet" --format json
check "audit SARIF" 1 '"version": "2.1.0"' -- "$bin" audit "$fleet" --format sarif
check "audit a missing file exits 2" 2 "smbsign: " -- "$bin" audit "$work/missing.reg"
check "fix --baseline writes .reg" 0 "apply.reg|reg" -- "$bin" fix --baseline signing -t reg -o "$work/fix"
check "fix wrote apply.reg" 0 "Windows Registry Editor" -- bash -c "iconv -f UTF-16 -t UTF-8 '$work/fix/apply.reg'"
check "signature (key from SMBSIGN_KEY)" 0 "\"matches\": true" -- env SMBSIGN_KEY=73FE7A9A77BEF0BDE49C650D8CCB5F76 \
  "$bin" signature --dialect 3.1.1 -a cmac FE534D4240000100000000000100800009000000000000000300000000000000FFFE0000000000001900000000100000EBE146DA120BA25FC3376A49DFE31BC10900000048001D00A11B3019A0030A0100A3120410010000003B453CDC3524164200000000 --format json
check "capture a recorded session" 0 "3.1.1" -- "$bin" capture "$capture"
check "capture --format json" 0 '"connections"' -- "$bin" capture "$capture" --format json
check "scan a closed loopback port" 0 "127.0.0.1" -- "$bin" scan 127.0.0.1:1 --timeout 2000 --format jsonl
# fix reads the audit and scan JSON with the writers' source-generated contexts: the read path works without reflection.
"$bin" audit "$fleet" --format json -o "$work/audit.json" >/dev/null 2>&1
"$bin" scan 127.0.0.1:1 --timeout 2000 --format json -o "$work/scan.json" >/dev/null 2>&1
check "fix --from the audit's JSON, --scan the scan's JSON" 0 "ws-win10-01" -- \
  "$bin" fix --from "$work/audit.json" --scan "$work/scan.json" -t reg -o "$work/fix-audit"
check "fix refuses an audit field nothing writes (exit 2)" 2 'unknown field "extra"' -- \
  bash -c "sed '0,/\"rule\": /s//\"extra\": 1, \"rule\": /' '$work/audit.json' > '$work/bad.json' && '$bin' fix --from '$work/bad.json' -t reg -o '$work/never'"
check "verify a closed loopback port exits 2" 2 "smbsign: " -- env SMBSIGN_PASSWORD=x "$bin" verify //127.0.0.1:1/IPC\$ -u nobody --timeout 2000
check "listen starts on loopback, stops after --duration, reports as JSON" 0 '"generatedAt"' -- \
  "$bin" listen --address 127.0.0.1 --port 0 --duration 1 --format json
"$bin" audit "$fleet" --format json -o "$work/report-audit.json" >/dev/null 2>&1 || true
check "report writes a self-contained HTML page from an audit" 0 "wrote .*report.html" -- "$bin" report "$work/report-audit.json" -o "$work/report.html"
check "report: the page exists and has no http:// or https:// URL" 0 "^self-contained$" -- \
  bash -c "test -s '$work/report.html' && grep -q 'Content-Security-Policy' '$work/report.html' && ! grep -Eq 'https?://' '$work/report.html' && echo self-contained"
check "report: a file that is not an smbsign document exits 2" 2 "expected" -- "$bin" report "$fleet/machines.json" -o "$work/report-bad.html"
check "audit --db records a run in a SQLite store (libe_sqlite3.so shipped)" 1 "recorded audit run 1" -- \
  "$bin" audit "$fleet/ws-win10-01.reg" --db "$work/posture.db"
check "audit --db records a second run" 1 "recorded audit run 2" -- "$bin" audit "$fleet/ws-win10-01.reg" --db "$work/posture.db"
check "history --format json reads the store" 0 '"comparisons"' -- "$bin" history --db "$work/posture.db" --format json
check "--db with a password in it exits 2" 2 "contains a password" -- "$bin" history --db "Host=h;Password=x"
check "bench signing (short)" 0 "AES-GMAC" -- "$bin" bench signing --sizes 4K --seconds 0.05
check "unknown option is a usage error" 2 "" -- "$bin" audit "$fleet" --no-such-option
pwsh_bin=$(command -v pwsh || echo /opt/pwsh/pwsh)
check "docs/examples/audit-to-powershell.ps1: JSON through ConvertFrom-Json" 0 "2\.3\.8\.1 +client\.RequireSecuritySignature" -- \
  env NO_COLOR=1 "$pwsh_bin" -NoProfile -File "$root/docs/examples/audit-to-powershell.ps1" -Path "$fleet/ws-win10-01.reg" -SmbSign "$bin"
check "man page renders" 0 "smbsign" -- bash -c "zcat '$dpkgroot/usr/share/man/man1/smbsign.1.gz' | head -3"

# Bash completion: source the installed script and ask it, as bash does on TAB.
completion="$dpkgroot/usr/share/bash-completion/completions/smbsign"
complete_words() { # WORDS...: prints the completions for the last word
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); _smbsign; printf "%s\n" "${COMPREPLY[@]}"' _ "$completion" "$@"
}
check "bash completes subcommands" 0 "^audit$" -- complete_words smbsign au
check "bash completes option names" 0 "^--strict$" -- complete_words smbsign audit --st
check "bash completes --format values" 0 "^sarif$" -- complete_words smbsign audit --format s
check "bash completes nested subcommands" 0 "^signing$" -- complete_words smbsign bench si

# The .NET tool: `dotnet pack` as docs/packaging.md says (run first, above), the package's NuGet metadata, and
# `dotnet tool install` from it.
if [[ $pack_rc -eq 0 ]]; then
  nupkg=$(ls "$work"/nupkg/SmbSign.*.nupkg | head -1)
  python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); open(sys.argv[2], "wb").write(z.read("SmbSign.nuspec")); print("\n".join(z.namelist()))' \
    "$nupkg" "$work/SmbSign.nuspec" >"$work/nupkg-files.txt"
  check "tool package: readme" 0 "<readme>README.md</readme>" -- cat "$work/SmbSign.nuspec"
  check "tool package: licence expression" 0 '<license type="expression">MIT</license>' -- cat "$work/SmbSign.nuspec"
  check "tool package: icon" 0 "<icon>icon.png</icon>" -- cat "$work/SmbSign.nuspec"
  check "tool package: tags" 0 "<tags>.*smb-signing.*</tags>" -- cat "$work/SmbSign.nuspec"
  check "tool package: description" 0 "<description>Configure SMB signing" -- cat "$work/SmbSign.nuspec"
  check "tool package: repository entry names the commit" 0 '<repository type="git"[^>]* commit="[0-9a-f]{40}"' -- cat "$work/SmbSign.nuspec"
  check "tool package carries README.md and icon.png" 0 "^2$" -- grep -cxE "README.md|icon.png" "$work/nupkg-files.txt"
  check "dotnet tool install from the package" 0 "smbsign" -- \
    dotnet tool install SmbSign --tool-path "$work/tool" --add-source "$work/nupkg" --version "$(basename "$nupkg" .nupkg | sed 's/^SmbSign\.//')"
  check "the installed tool runs (JIT, .NET runtime)" 0 "runtime +\.NET 10" -- "$work/tool/smbsign" --version
  check "the installed tool explains a setting" 0 "RequireSecuritySignature" -- "$work/tool/smbsign" explain client.RequireSecuritySignature
else
  failed=$((failed + 1)); echo "  FAIL  dotnet pack (see below)"; tail -20 "$work/pack.log"
fi

echo "native: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
