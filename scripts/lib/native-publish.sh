# Sourced (not run) by scripts/package-deb.sh and the native test scripts: the one way this repository publishes the
# CLI with NativeAOT. Run from the repository root.
#
# native_publish RID OUTDIR [MSBUILD-ARGS...]: `dotnet publish src/SmbSign.Cli -c Release -r RID -p:PublishAot=true`
# into OUTDIR, in three steps. A plain `dotnet publish -r RID` restores every referenced library for RID as well; that
# rewrites the libraries' restore outputs (obj/project.nuget.g.props gains the ILCompiler import), so the next build
# for another RID, or a plain `dotnet build`, recompiles all five libraries (about 100 s on a 2-core machine, once per
# RID and once more to get back). So: the whole graph is restored as a plain build restores it (a no-op when it already
# is), then the app alone for RID (--no-dependencies), then the publish runs without restoring. The libraries are
# RID-agnostic either way (the SDK builds referenced libraries without the RID), so the binary is the same; only the
# app is compiled again for each RID, into its own obj/Release/net10.0/RID folder.
native_publish() {
  local rid=$1 out=$2
  shift 2
  dotnet restore src/SmbSign.Cli/SmbSign.Cli.csproj -nologo -v quiet &&
    dotnet restore src/SmbSign.Cli/SmbSign.Cli.csproj -r "$rid" -p:PublishAot=true --no-dependencies "$@" -nologo -v quiet &&
    dotnet publish src/SmbSign.Cli/SmbSign.Cli.csproj -c Release -r "$rid" -p:PublishAot=true --no-restore "$@" -o "$out" -nologo -v quiet
}
