#!/usr/bin/env bash
# Builds out/deb/smbsign_VERSION_ARCH.deb: /usr/bin/smbsign (a native AOT binary, with SQLite beside it), its man page and the bash and zsh
# completion scripts, all generated from the CLI itself (`smbsign manpage`, `smbsign completion SHELL`).
#
#   bash scripts/package-deb.sh [OUTDIR]
#
# Needs the .NET SDK, clang and zlib1g-dev (NativeAOT's linker inputs) and dpkg-deb. Prints the .deb's path last.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
outdir=${1:-$root/out/deb}
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)

case "$(uname -m)" in
  x86_64) rid=linux-x64 arch=amd64 ;;
  aarch64) rid=linux-arm64 arch=arm64 ;;
  *) echo "package-deb.sh: unsupported machine $(uname -m)" >&2; exit 2 ;;
esac
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' src/SmbSign.Cli/SmbSign.Cli.csproj | head -1)

publish="$outdir/publish-$rid"
rm -rf "$publish"
source scripts/lib/native-publish.sh
native_publish "$rid" "$publish" >&2

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# The binary lives in /usr/lib/smbsign beside libe_sqlite3.so (the posture store's SQLite, which NativeAOT loads from the
# executable's own folder); /usr/bin/smbsign is a relative symlink to it.
install -D -m 0755 "$publish/smbsign" "$stage/usr/lib/smbsign/smbsign"
install -D -m 0644 "$publish/libe_sqlite3.so" "$stage/usr/lib/smbsign/libe_sqlite3.so"
mkdir -p "$stage/usr/bin"
ln -s ../lib/smbsign/smbsign "$stage/usr/bin/smbsign"
mkdir -p "$stage/usr/share/man/man1" "$stage/usr/share/bash-completion/completions" "$stage/usr/share/zsh/vendor-completions" \
  "$stage/usr/share/doc/smbsign" "$stage/DEBIAN"
"$publish/smbsign" manpage | gzip -9n > "$stage/usr/share/man/man1/smbsign.1.gz"
"$publish/smbsign" completion bash > "$stage/usr/share/bash-completion/completions/smbsign"
"$publish/smbsign" completion zsh > "$stage/usr/share/zsh/vendor-completions/_smbsign"
cp README.md "$stage/usr/share/doc/smbsign/README.md"
cat > "$stage/usr/share/doc/smbsign/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: SmbSign
Files: *
License: MIT
EOF
installed_size=$(du -ks "$stage/usr" | cut -f1)
cat > "$stage/DEBIAN/control" <<EOF
Package: smbsign
Version: $version
Architecture: $arch
Maintainer: SmbSign developers <smbsign@localhost>
Installed-Size: $installed_size
Depends: libc6 (>= 2.34), libssl3 | libssl3t64
Section: net
Priority: optional
Description: configure, audit and prove SMB signing
 SmbSign knows every SMB signing setting (Group Policy, registry, Intune,
 PowerShell, smb.conf), audits exports against the CIS benchmarks where the
 effective value decides, writes remediation, and proves signing on the
 wire: server probes, authenticated sessions, packet captures.
EOF
deb="$outdir/smbsign_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >&2
echo "$deb"
