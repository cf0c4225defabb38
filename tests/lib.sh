# lib.sh - helpers for shell tests (sourced). Each test ends with `done_testing`,
# which prints "N passed, N failed" and sets the exit status.
# BM (the binary), BM_ROOT, BM_SHARED and a private TMP directory are set.
: "${BM_ROOT:=$(pwd)}"
BM="$BM_ROOT/bienmuc"
: "${BM_SHARED:=$BM_ROOT/../shared/data}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bmtest.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
_pass=0; _fail=0; _skip=0
ok()   { _pass=$((_pass + 1)); }
fail() { _fail=$((_fail + 1)); echo "FAIL: $*" >&2; }
skip() { _skip=$((_skip + 1)); echo "skipped: $*" >&2; }
# check DESCRIPTION COMMAND...: passes when COMMAND exits 0
check() { d=$1; shift; if "$@"; then ok; else fail "$d"; fi; }
# check_eq DESCRIPTION GOT WANT
check_eq() { if [ "$2" = "$3" ]; then ok; else fail "$1: got '$2', want '$3'"; fi; }
# sugg, recorded: the call number of that line of `bienmuc copy callno`
# ("suggested<TAB>895.92232 NTT") on standard input
sugg() { awk -F'\t' '$1 == "suggested" { print $2 }'; }
recorded() { awk -F'\t' '$1 == "recorded" { print $2 }'; }
have_shared() { [ -d "$BM_SHARED" ]; }
# check_hcounts DESCRIPTION DB: every browse heading's kept count (hcounts,
# schema 7; from schema 8 a heading without a row has 1) is its number of
# postings, no count is kept for a heading that is gone, and none of 1 or
# less is kept
check_hcounts() {
  check_eq "$1: browse counts" "$(sqlite3 "$2" "SELECT
    (SELECT count(*) FROM headings h WHERE (SELECT ifnull((SELECT n FROM hcounts c WHERE c.hid = h.hid), 1))
                                        != (SELECT count(*) FROM postings p WHERE p.hid = h.hid))
  + (SELECT count(*) FROM hcounts c WHERE NOT EXISTS (SELECT 1 FROM headings h WHERE h.hid = c.hid))
  + (SELECT count(*) FROM hcounts WHERE n <= 1)")" 0
}
done_testing() {
  if [ $_skip -gt 0 ]; then echo "$_pass passed, $_fail failed, $_skip skipped"
  else echo "$_pass passed, $_fail failed"; fi
  [ $_fail -eq 0 ]
}
