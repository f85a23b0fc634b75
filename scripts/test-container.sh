#!/usr/bin/env bash
# The container definition, packaging/Dockerfile, tested as far as a machine without a Docker engine and without access
# to Microsoft's container registry can: the test reads the Dockerfile (scripts/lib/dockerfile.py) and follows it.
#
# 1. The build stage's `dotnet publish` is the one scripts/package-deb.sh runs (same project, configuration, runtime,
#    properties; through scripts/lib/native-publish.sh), and the final stage copies from the folder it publishes to.
# 2. That command's output is made here (on this Debian 12 host; the image builds it on Ubuntu 24.04, see below), or,
#    under scripts/test.sh, taken from scripts/test-native.sh's package-deb.sh run of the same sources.
# 3. A stand-in for the final stage's base image is built: Debian 12 (bookworm) minbase by debootstrap, from the Debian
#    mirror apt uses, with the packages mcr.microsoft.com/dotnet/runtime-deps:10.0-noble installs and its `app` user
#    (uid/gid 1654), made as that image makes it. The image itself is Ubuntu 24.04, whose archive is not among the package
#    sources this project's machines reach, so the stand-in has the same packages under Debian 12's names; it proves that
#    the binary needs nothing more than runtime-deps' package set, not that it runs on Ubuntu 24.04.
# 4. The final stage's COPY and RUN are applied to the stand-in, and its USER, WORKDIR, ENTRYPOINT and CMD are how the
#    commands are run: chroot as that user, in that folder, with only Docker's PATH, HOME and HOSTNAME, the entry point
#    plus the arguments, or plus CMD when there are none; the data folder is bind-mounted as `docker run -v` would.
#
# Ends with `container: N passed, N failed` (scripts/test.sh adds the counts to the suite's total). Needs root (chroot,
# mount) and debootstrap.
set -uo pipefail
source "$(dirname "$0")/lib/check.sh" # root, work, check()
sysroot="$work/root"
mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null; done
  # Only after every mount is gone: rm must never follow a bind mount back into the repository.
  if ! grep -q " $work/" /proc/mounts; then rm -rf "$work"; else echo "left $work (still mounted)"; fi
}
trap cleanup EXIT # replaces check.sh's plain removal
dockerfile="$root/packaging/Dockerfile"

give_up() { # WHAT [LOG]: one failure that stops the test (nothing after it could mean anything)
  echo "  FAIL  $1"
  [[ -n ${2:-} && -f ${2:-} ]] && tail -15 "$2" | sed 's/^/        /'
  echo "container: $passed passed, $((failed + 1)) failed"
  exit 1
}

[[ $(id -u) -eq 0 ]] || give_up "needs root (chroot and mount)"
command -v debootstrap >/dev/null 2>&1 || give_up "debootstrap is not installed (scripts/test.sh installs it)"

# The image the stand-in copies, and what that image adds to Ubuntu 24.04 (dotnet/dotnet-docker,
# src/runtime-deps/10.0/noble/amd64/Dockerfile): ca-certificates libc6 libgcc-s1 libicu74 libssl3t64 libstdc++6 tzdata
# tzdata-legacy, and the user app. Debian 12's names: libicu72, libssl3; tzdata-legacy is not a Debian 12 package.
base_image="mcr.microsoft.com/dotnet/runtime-deps:10.0-noble"
base_packages="ca-certificates,libc6,libgcc-s1,libicu72,libssl3,libstdc++6,tzdata"
app_uid=1654

final=$(python3 scripts/lib/dockerfile.py "$dockerfile" final 2>"$work/parse.log") || give_up "read the final stage of packaging/Dockerfile" "$work/parse.log"
publish=$(python3 scripts/lib/dockerfile.py "$dockerfile" publish 2>"$work/parse.log") || give_up "find the build stage's publish" "$work/parse.log"

# --- 1. The build stage publishes as the scripts do: scripts/package-deb.sh calls native_publish with its RID and no
# other argument, and native_publish's `dotnet publish` (scripts/lib/native-publish.sh) is the Dockerfile's. Its
# --no-restore is left out of the comparison: the two restores before it are the restore the Dockerfile's publish runs,
# split so that the libraries are not restored per RID (the script says why); what is built is the same.
compare_publish() { # DOCKERFILE_COMMAND SCRIPT_LINE: prints "same" or both normalised commands
  python3 - "$1" "$2" <<'PY'
import shlex, sys
def normalise(text):
    words, out, skip = shlex.split(text.split(">")[0]), [], False
    for w in words:
        if skip:
            skip = False
        elif w in ("-o", "--output", "-v", "--verbosity"):
            skip = True                      # where it writes and how much it prints are not what it builds
        elif w in ("-nologo", "--nologo", "--no-restore", "$@"):
            pass                             # "$@": package-deb.sh passes no extra argument (checked separately)
        else:
            out.append("linux-x64" if w == "$rid" else w)  # package-deb.sh's $rid is linux-x64 on x64
    return out
a, b = normalise(sys.argv[1]), normalise(sys.argv[2])
print("same" if a == b else f"Dockerfile: {' '.join(a)}\nscripts/lib/native-publish.sh: {' '.join(b)}")
PY
}
check "scripts/package-deb.sh publishes with native_publish, its RID and nothing else" 0 "" -- \
  grep -Eq '^native_publish "\$rid" "\$publish" >&2$' scripts/package-deb.sh
deb_publish=$(grep -m1 -E '^[[:space:]]*dotnet publish ' scripts/lib/native-publish.sh)
check "the build stage's dotnet publish is native_publish's (project, -c, -r, -p)" 0 "^same$" -- \
  compare_publish "$publish" "$deb_publish"
publish_out=$(python3 -c 'import shlex, sys; w = shlex.split(sys.argv[1]); print(w[w.index("-o") + 1] if "-o" in w else "")' "$publish")
check "the final stage copies only from the build stage's publish folder ($publish_out)" 0 "^ok$" -- python3 -c '
import shlex, sys
out, ok = sys.argv[1].rstrip("/") + "/", True
for line in sys.argv[2].splitlines():
    kind, _, rest = line.partition("\t")
    if kind == "COPY":
        words = shlex.split(rest)
        ok &= words[0] == "--from=build" and all(w.startswith(out) for w in words[1:-1])
print("ok" if ok and out != "/" else "no")' "$publish_out" "$final"
from=$(sed -n 's/^FROM\t//p' <<<"$final")
check "the final stage is FROM $base_image (the image the stand-in copies)" 0 "^$base_image\$" -- echo "$from"

# --- 2. The build stage's output. scripts/test.sh runs scripts/test-native.sh first and passes its package-deb.sh
# publish folder in SMBSIGN_NATIVE_DIR: the same command on the same sources (check above), so it is used as it is
# rather than compiled a second time. Run on its own, this script publishes with native_publish.
out="$work/out"
reused="${SMBSIGN_NATIVE_DIR:-}/publish-linux-x64"
start=$SECONDS
if [[ -n ${SMBSIGN_NATIVE_DIR:-} && -x $reused/smbsign ]]; then
  cp -a "$reused" "$out" || give_up "copy scripts/package-deb.sh's publish folder $reused"
  echo "  (build stage's publish: scripts/package-deb.sh's from this run, $reused)"
else
  source scripts/lib/native-publish.sh
  native_publish linux-x64 "$out" >"$work/publish.log" 2>&1 || give_up "the build stage's publish (native_publish linux-x64)" "$work/publish.log"
  echo "  (build stage's publish: $((SECONDS - start)) s)"
fi

# --- 3. The stand-in for the base image.
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | grep -v security | head -1)
mirror=${mirror:-http://deb.debian.org/debian}
start=$SECONDS
debootstrap --variant=minbase --include="$base_packages" bookworm "$sysroot" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || give_up "debootstrap --variant=minbase bookworm from $mirror" "$work/debootstrap.log"
chroot "$sysroot" /bin/sh -c "groupadd --gid=$app_uid app && useradd --no-log-init --uid=$app_uid --gid=$app_uid --create-home app" \
  || give_up "create the user app as runtime-deps does"
echo "  (debootstrap of the stand-in: $((SECONDS - start)) s)"
check "the stand-in has runtime-deps' packages" 0 "^7$" -- bash -c \
  "chroot '$sysroot' dpkg-query -W -f='\${db:Status-Status}\\n' ${base_packages//,/ } | grep -c '^installed$'"

# --- 4. The final stage, instruction by instruction.
run_env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
user="0:0" home=/root workdir=/ entrypoint=() cmd=()
json_words() { python3 -c 'import json, sys; print("\n".join(json.loads(sys.argv[1])))' "$1"; }
while IFS=$'\t' read -r kind rest; do
  case $kind in
    FROM) ;;
    COPY)
      eval "words=($rest)" # quoted by dockerfile.py with shlex.quote
      dest=${words[-1]}
      for src in "${words[@]:1:${#words[@]}-2}"; do
        file="$out/${src#"$publish_out"/}"
        [[ -f $file ]] || give_up "COPY: the build stage published no ${src#"$publish_out"/}"
        if [[ $dest == */ ]]; then install -D -o 0 -g 0 -m "$(stat -c %a "$file")" "$file" "$sysroot$dest$(basename "$file")"
        else install -D -o 0 -g 0 -m "$(stat -c %a "$file")" "$file" "$sysroot$dest"; fi
      done ;;
    RUN)
      chroot --userspec="$user" "$sysroot" /usr/bin/env -i "${run_env[@]}" HOME="$home" /bin/sh -c "$rest" >"$work/run.log" 2>&1 \
        || give_up "RUN $rest" "$work/run.log" ;;
    USER)
      uid=$(chroot "$sysroot" id -u "$rest") && gid=$(chroot "$sysroot" id -g "$rest") || give_up "USER $rest: no such user in the image"
      user="$uid:$gid" home=$(chroot "$sysroot" getent passwd "$rest" | cut -d: -f6) ;;
    WORKDIR) mkdir -p "$sysroot$rest"; workdir=$rest ;;
    ENTRYPOINT) mapfile -t entrypoint < <(json_words "$rest") ;;
    CMD) mapfile -t cmd < <(json_words "$rest") ;;
  esac
done <<<"$final"
check "USER is runtime-deps' app (uid $app_uid)" 0 "^$app_uid:$app_uid\$" -- echo "$user"

# `docker run -v HOST:/data`: a host folder bind-mounted on the working folder, holding a sample export.
data="$work/data"
mkdir -p "$data/exports" "$sysroot/proc"
cp "$root/samples/fleet/ws-win10-01.reg" "$root/samples/fleet/srv-server2022-02.reg" "$data/exports/"
mount -t proc proc "$sysroot/proc" && mounted+=("$sysroot/proc") || give_up "mount /proc in the stand-in"
mount --bind "$data" "$sysroot$workdir" && mounted+=("$sysroot$workdir") || give_up "bind-mount the data folder on $workdir"

container() { # USER ARGS...: docker run [--user USER] IMAGE ARGS... (USER "" = the image's own)
  local as=${1:-$user} h=$home; shift
  [[ $as == "$user" ]] || h=/
  local args=("$@")
  ((${#args[@]})) || args=("${cmd[@]}")
  chroot --userspec="$as" "$sysroot" /usr/bin/env -i "${run_env[@]}" HOME="$h" HOSTNAME=smbsign \
    /usr/bin/env --chdir="$workdir" "${entrypoint[@]}" "${args[@]}"
}

check "the entry point's binary needs no library the image lacks" 1 "" -- bash -c \
  "chroot '$sysroot' ldd /usr/lib/smbsign/smbsign | grep -q 'not found'"
chown -R "$app_uid:$app_uid" "$data"
check "no arguments: CMD --help, exit 0" 0 "Usage" -- container ""
check "version --format json: the native AOT build" 0 '"nativeAot": true' -- container "" version --format json
check "audit of the export in $workdir writes SARIF into $workdir (exit 1: the export fails CIS items)" 1 "" -- \
  container "" audit "$workdir/exports" --format sarif -o "$workdir/smbsign.sarif"
check "the SARIF in the data folder is SARIF 2.1.0, owned by the container's user" 0 "^2\.1\.0 $app_uid\$" -- bash -c \
  "python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[\"version\"], end=\" \")' '$data/smbsign.sarif' && stat -c %u '$data/smbsign.sarif'"
check "audit --db: a SQLite store in $workdir (libe_sqlite3.so found beside the binary)" 1 "recorded audit run 1" -- \
  container "" audit "$workdir/exports/ws-win10-01.reg" --db "$workdir/posture.db"
check "bench signing: HMAC-SHA256 through the image's OpenSSL 3" 0 "HMAC-SHA256" -- \
  container "" bench signing --sizes 4K --seconds 0.05
# A host folder owned by someone else, as `docker run -v "$PWD:/data"` gives for a host user other than 1654: the default
# user cannot write there, hence `--user "$(id -u):$(id -g)"` in the Dockerfile's and docs' example.
chown -R 1000:1000 "$data" && chmod 755 "$data"
one_line() { # ARGS...: container ARGS..., then "lines=N" (how many lines it printed)
  local o rc
  o=$(container "$@" 2>&1); rc=$?
  printf '%s\nlines=%s\n' "$o" "$(grep -c '' <<<"$o")"
  return $rc
}
check "as app, a data folder it cannot write to: exit 2 and one line" 2 "^lines=1\$" -- \
  one_line "" audit "$workdir/exports" --format sarif -o "$workdir/denied.sarif"
check "with --user 1000:1000 (the folder's owner) the same audit writes its SARIF" 1 "" -- \
  container 1000:1000 audit "$workdir/exports" --format sarif -o "$workdir/as-owner.sarif"
check "the owner's SARIF is there" 0 "^1000$" -- stat -c %u "$data/as-owner.sarif"

echo "container: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
