# Shared by scripts/test-native.sh and scripts/test-native-arm64.sh (sourced, not run): a counter pair and check().
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
