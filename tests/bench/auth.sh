#!/bin/sh
# auth.sh - the authority-control benchmark (run by tests/bench/run, i.e.
# `make bench`; not a test).
#
# 1. Generates BENCH_N (default 100,000) synthetic Vietnamese records
#    (tests/bench/gen-records.awk); every 10th record's 100 is changed to
#    "Nam Cao, 1915-1951" (10,000 records at 100k), so one heading is used
#    by BENCH_N/10 records.
# 2. Imports the shared authority files (../shared/data/auth/, when
#    present) and tests/data/auth-vi.mrc, then the records.
# 3. Times `bienmuc auth link` over the whole catalogue (records/s; most
#    headings get a $0, 100s of synthetic names stay uncontrolled).
# 4. Times `bienmuc auth rename` of Nam Cao, which rewrites the heading in
#    every linked record in one transaction (target: under 5 s for
#    10,000 records), then `bienmuc batch undo` of that change.
: "${BM_ROOT:=$(pwd)}"
: "${BM_SHARED:=$BM_ROOT/../shared/data}"
: "${BENCH_N:=100000}"
BM="$BM_ROOT/bienmuc"
[ -x "$BM" ] || { echo "auth.sh: build bienmuc first (make)"; exit 2; }
W=$(mktemp -d "${TMPDIR:-/tmp}/bmauth.XXXXXX")
trap 'rm -rf "$W"' EXIT
DB="$W/c.db"

secs() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

awk -v n="$BENCH_N" -f "$BM_ROOT/tests/bench/gen-records.awk" |
  awk '/^=001/ { i++ } /^=100/ && i % 10 == 0 { print "=100  0\\$aNam Cao,$d1915-1951."; next } { print }' \
  > "$W/gen.mrk" || exit 2
"$BM" convert -q -f mrk -o "$W/gen.mrc" "$W/gen.mrk" || exit 2
rm -f "$W/gen.mrk"

nauth=0
if [ -d "$BM_SHARED/auth" ]; then
  "$BM" auth import -q -d "$DB" "$BM_SHARED"/auth/*.mrc "$BM_SHARED"/auth/*.xml 2>/dev/null
fi
"$BM" auth import -q -d "$DB" "$BM_ROOT/tests/data/auth-vi.mrc" || exit 2
nauth=$("$BM" batch -d "$DB" list | awk -F'\t' '{ split($5, a, " "); s += a[2] + 0 } END { print s }')
t0=$(secs)
"$BM" import -q -d "$DB" "$W/gen.mrc" || exit 2
t1=$(secs)
echo "catalogue: $BENCH_N records + $nauth authority records (import $(elapsed "$t0" "$t1") s)"

t0=$(secs)
"$BM" auth link -d "$DB" 2> "$W/link.txt"
t1=$(secs)
cat "$W/link.txt"
el=$(elapsed "$t0" "$t1")
echo "auth link: $BENCH_N records in $el s: $(awk -v n="$BENCH_N" -v t="$el" 'BEGIN { printf "%.0f", n / t }') records/s"

NC=$("$BM" auth search -d "$DB" -t person "nam cao" | awk -F'\t' '$2 == "100" { print $1; exit }')
t0=$(secs)
"$BM" auth rename -d "$DB" -y "$NC" '$aNam Cao (nhà văn),$d1915-1951' 2> "$W/rn.txt"
t1=$(secs)
cat "$W/rn.txt"
echo "heading change: $(sed -n 's/.*: \([0-9]*\) records changed.*/\1/p' "$W/rn.txt") records in $(elapsed "$t0" "$t1") s (whole command; target < 5 s)"
b=$(sed -n 's/.*batch \([0-9]*\) (undo.*/\1/p' "$W/rn.txt")
t0=$(secs)
"$BM" batch -d "$DB" undo "$b" >/dev/null 2>&1
t1=$(secs)
echo "rollback of the change (batch undo $b): $(elapsed "$t0" "$t1") s"
