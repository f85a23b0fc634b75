# Shared by the scripts/test-native*.sh and scripts/test-container.sh (sourced, not run, first thing after `set`):
# moves to the repository root and sets `root`; makes a scratch folder `work`, removed on exit (a script that needs
# more cleanup sets its own EXIT trap, which replaces this one); a counter pair and check().
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
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
