#!/bin/sh
# lint.sh - lint throughput: bienmuc lint against MARC::Lint on the same
# records. Builds a 100,000-record ISO 2709 file by repeating
# ../shared/data/bib/loc-BooksAll.2014.part01-0001.mrc (100 LC records;
# else the project's tests/data/bib-vi.mrc), and a 10,000-record prefix of
# it for MARC::Lint (which runs at a few thousand records/s; rates are per
# record, so the sizes need not match). Runs are interleaved (ours,
# theirs, ours ...), RUNS each (default 5); prints median and min-max
# records/s and the ratio of the medians (target: 20x).
# usage: sh tests/bench/lint.sh [RUNS]
cd "$(dirname "$0")/../.." || exit 2
RUNS=${1:-${RUNS:-5}}
BM=./bienmuc
export BIENMUC_MARCDIR="$PWD/marc"
: "${BM_SHARED:=$(cd .. && pwd)/shared/data}"
SRC="$BM_SHARED/bib/loc-BooksAll.2014.part01-0001.mrc"
[ -f "$SRC" ] || SRC=tests/data/bib-vi.mrc
[ -x "$BM" ] || { echo "bench lint: build bienmuc first (make)" >&2; exit 2; }
T=$(mktemp -d "${TMPDIR:-/tmp}/bmbench.XXXXXX"); trap 'rm -rf "$T"' EXIT

per=$(perl -e 'local $/ = "\x1d"; my $n = 0; open my $f, "<:raw", shift; $n++ while <$f>; print $n' "$SRC")
[ "$per" -gt 0 ] || { echo "bench lint: no records in $SRC" >&2; exit 2; }
reps=$(( (100000 + per - 1) / per ))
i=0; while [ $i -lt $reps ]; do cat "$SRC"; i=$((i + 1)); done >"$T/big.mrc"
BIG=$((reps * per))
perl -e 'local $/ = "\x1d"; my $k = shift; open my $f, "<:raw", shift; binmode STDOUT;
  while (<$f>) { print; last if --$k == 0 }' 10000 "$T/big.mrc" >"$T/small.mrc"
SMALL=10000
[ "$BIG" -lt "$SMALL" ] && SMALL=$BIG

cat >"$T/ml.pl" <<'PERL'
use MARC::Batch; use MARC::Lint;
my $l = MARC::Lint->new; my $b = MARC::Batch->new('USMARC', shift);
$b->strict_off; $b->warnings_off; my $w = 0;
local $SIG{__WARN__} = sub {};
while (my $r = $b->next) { $l->check_record($r); $w += () = $l->warnings; }
print STDERR "$w\n";
PERL
have_ml=0; perl -MMARC::Lint -e1 2>/dev/null && have_ml=1

now() { perl -MTime::HiRes=time -e 'printf "%.6f\n", time'; }
rate() { perl -e 'printf "%.0f\n", $ARGV[0] / ($ARGV[2] - $ARGV[1])' "$1" "$2" "$3"; }
: >"$T/ours"; : >"$T/theirs"
r=0
while [ $r -lt "$RUNS" ]; do
  a=$(now); "$BM" lint -q "$T/big.mrc" >/dev/null 2>&1; b=$(now)
  rate "$BIG" "$a" "$b" >>"$T/ours"
  if [ $have_ml = 1 ]; then
    a=$(now); perl "$T/ml.pl" "$T/small.mrc" 2>/dev/null; b=$(now)
    rate "$SMALL" "$a" "$b" >>"$T/theirs"
  fi
  r=$((r + 1))
done
stats() { sort -n "$1" | awk '{v[NR]=$1} END {m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2;
  printf "%d %d %d\n", m, v[1], v[NR]}'; }
set -- $(stats "$T/ours")
echo "lint: bienmuc lint   $1 records/s (min $2, max $3; $RUNS runs of $BIG records)"
om=$1
if [ $have_ml = 1 ]; then
  set -- $(stats "$T/theirs")
  echo "lint: MARC::Lint     $1 records/s (min $2, max $3; $RUNS runs of $SMALL records)"
  perl -e 'printf "lint: ratio %.1fx (target 20x)\n", $ARGV[0] / $ARGV[1]' "$om" "$1"
else
  echo "lint: MARC::Lint not installed (libmarc-lint-perl): no ratio"
fi
