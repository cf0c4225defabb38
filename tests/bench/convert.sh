#!/bin/sh
# convert.sh - `bienmuc convert` against `yaz-marcdump` on the same
# conversions (run by tests/bench/run, i.e. `make bench`; not a test).
#
# Generates a BENCH_N-record (default 100,000) UTF-8 ISO 2709 file by
# repeating the clean UTF-8 bibliographic files of ../shared/data, a
# MARC-8 one from its MARC-8 files, and a MARCXML one (written by
# yaz-marcdump, so neither side reads its own output). Then for each pair
#   ISO2709 -> MARCXML, MARCXML -> ISO2709, MARC-8 -> UTF-8, ISO2709 -> mrk
# (yaz has no .mrk writer: its line format `-o line` is the nearest) it runs
# both tools BENCH_RUNS times (default 5), interleaved, output to /dev/null,
# and prints records/s (median, min-max), the ratio bienmuc/yaz of the
# medians (target >= 1.0) and the peak RSS.
# With BENCH_BIG=1 (default) it then streams BENCH_N x 10 records (1M by
# default) through `bienmuc convert` from a pipe and reports the peak RSS
# (target < 16 MB) for ISO2709 -> MARCXML and ISO2709 -> mrk: about twenty
# single runs' worth of time.
# Without ../shared/data it falls back to the repo's own fixtures.
# Total time on an idle 2-core VM: about 3 minutes with the defaults
# (BENCH_BIG=0: about 1 minute). Ratios are bienmuc / yaz-marcdump, by wall
# clock and by CPU time (the CPU ratio is the steadier one on a busy machine).
: "${BM_ROOT:=$(pwd)}"
: "${BM_SHARED:=$BM_ROOT/../shared/data}"
: "${BENCH_RUNS:=5}"
: "${BENCH_N:=100000}"
: "${BENCH_BIG:=1}"
BM="$BM_ROOT/bienmuc"
S=$BM_SHARED
TIME=/usr/bin/time
for c in yaz-marcdump perl; do
  command -v $c >/dev/null 2>&1 || { echo "convert.sh: $c is not installed"; exit 2; }
done
[ -x "$TIME" ] || { echo "convert.sh: $TIME is missing (apt-get install time)"; exit 2; }
[ -x "$BM" ] || { echo "convert.sh: build bienmuc first (make)"; exit 2; }
W=$(mktemp -d "${TMPDIR:-/tmp}/bmbench.XXXXXX")
trap 'rm -rf "$W"' EXIT

pool() { for f in "$@"; do [ -f "$f" ] && echo "$f"; done; }
UTF8_POOL=$(pool "$S/bib/loc-BooksAll.2014.part01-0001.mrc" "$S/bib/folio-CornellFOLIOExemplars.mrc" \
  "$S/bib/traject-test_data.utf8.mrc" "$S/bib/marc4j-065001035.mrc" "$S/bib/yaz-marccol1.u8.marc" \
  "$S/bib/yaz-marccol5.u8.marc" "$S/bib/evergreen-sample_acq_order.mrc" "$S/bib/rust-marc-3records.mrc" \
  "$S/vi/authored/bib-vi.mrc")
MARC8_POOL=$(pool "$S/bib/uva_001_2000.mrc" "$S/bib/evergreen-lul_fre_500.mrc" \
  "$S/bib/folio-61PRINT160129.mrc" "$S/bib/solrmarc-specTestRecs.mrc" "$S/bib/evergreen-hebrew.marc" \
  "$S/vi/authored/bib-vi-marc8.mrc")
[ -n "$UTF8_POOL" ] || UTF8_POOL="$BM_ROOT/tests/data/bib-vi.mrc"
[ -n "$MARC8_POOL" ] || MARC8_POOL="$BM_ROOT/tests/data/bib-vi-marc8.mrc"

# repeat N FILE...: the records of FILEs (split on the record terminator;
# only chunks that look like records), round-robin until N are written.
repeat() {
  n=$1; shift
  perl -e '
    my $n = shift; my @r; local $/ = "\x1d";
    for my $f (@ARGV) { open my $fh, "<:raw", $f or die "$f: $!";
      while (<$fh>) { push @r, $_ if /\A\d{5}/ && length > 24 } }
    die "no records\n" unless @r; binmode STDOUT;
    print $r[$_ % @r] for 0 .. $n - 1;' "$n" "$@"
}

echo "generating $BENCH_N-record files in $W ..."
repeat "$BENCH_N" $UTF8_POOL >"$W/utf8.mrc" || exit 2
repeat "$BENCH_N" $MARC8_POOL >"$W/marc8.mrc" || exit 2
yaz-marcdump -i marc -o marcxml "$W/utf8.mrc" >"$W/utf8.xml" 2>/dev/null
printf '  %-10s %7d KiB\n' utf8.mrc $(( $(wc -c <"$W/utf8.mrc") / 1024 )) \
  marc8.mrc $(( $(wc -c <"$W/marc8.mrc") / 1024 )) utf8.xml $(( $(wc -c <"$W/utf8.xml") / 1024 ))

# measure OUTFILE INPUT CMD...: one run, stdin = INPUT, stdout discarded;
# appends "wall_ns cpu_seconds rss_kib" to OUTFILE.
measure() {
  o=$1; in=$2; shift 2
  t0=$(date +%s%N)
  $TIME -f '%U %S %M' -o "$W/rss" "$@" <"$in" >/dev/null 2>"$W/err"
  rc=$?
  t1=$(date +%s%N)
  if [ $rc -gt 1 ]; then echo "  failed (exit $rc): $*"; sed 's/^/    /' "$W/err" | tail -n 5; fi
  grep -h '^bienmuc: convert: read .*rejected [1-9]' "$W/err" >>"$W/notes"
  echo "$(( t1 - t0 )) $(tail -n 1 "$W/rss" | awk '{ print $1 + $2, $3 }')" >>"$o"
}

# stats FILE: "median min max cpu_median rss": records/s by wall clock
# (median, slowest, fastest), records/s by CPU time (user + sys; steadier
# when the machine is busy), peak RSS in KiB
stats() {
  cpu=$(awk '{ print ($2 > 0 ? $2 : 0.01) }' "$1" | sort -n | awk -v n="$BENCH_N" '
    { c[NR] = $1 } END { m = (NR % 2) ? c[(NR + 1) / 2] : (c[NR / 2] + c[NR / 2 + 1]) / 2; printf "%d", n / m }')
  sort -n "$1" | awk -v n="$BENCH_N" -v cpu="$cpu" '
    { t[NR] = $1 / 1e9; if ($3 > rss) rss = $3 }
    END { m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2;
          printf "%d %d %d %d %d\n", n / m, n / t[NR], n / t[1], cpu, rss }'
}

printf '\n%-22s %-12s %10s %21s %6s %10s %6s %8s\n' pair tool "rec/s med" "min-max" ratio "CPU rec/s" ratio "peak RSS"
pair() {
  name=$1 in=$2 bmargs=$3 yazargs=$4
  rm -f "$W/bm.t" "$W/yaz.t"
  i=0
  while [ $i -lt "$BENCH_RUNS" ]; do
    # shellcheck disable=SC2086
    measure "$W/bm.t" "$in" "$BM" convert -q --rejects "$W/rejects" $bmargs
    # shellcheck disable=SC2086
    measure "$W/yaz.t" "$in" yaz-marcdump $yazargs /dev/stdin
    i=$((i + 1))
  done
  set -- $(stats "$W/bm.t"); bm_med=$1 bm_min=$2 bm_max=$3 bm_cpu=$4 bm_rss=$5
  set -- $(stats "$W/yaz.t"); yz_med=$1 yz_min=$2 yz_max=$3 yz_cpu=$4 yz_rss=$5
  ratio=$(awk -v a="$bm_med" -v b="$yz_med" 'BEGIN { printf "%.2f", a / b }')
  cratio=$(awk -v a="$bm_cpu" -v b="$yz_cpu" 'BEGIN { printf "%.2f", a / b }')
  printf '%-22s %-12s %10d %10d-%-10d %6s %10d %6s %5d MB\n' "$name" bienmuc "$bm_med" "$bm_min" "$bm_max" \
    "$ratio" "$bm_cpu" "$cratio" $((bm_rss / 1024))
  printf '%-22s %-12s %10d %10d-%-10d %6s %10d %6s %5d MB\n' "" yaz-marcdump "$yz_med" "$yz_min" "$yz_max" \
    "" "$yz_cpu" "" $((yz_rss / 1024))
  if [ -s "$W/notes" ]; then sort -u "$W/notes" | sed 's/^/    note: /'; rm -f "$W/notes"; fi
}

pair "ISO2709 -> MARCXML" "$W/utf8.mrc" "-f iso2709 -t marcxml" "-i marc -o marcxml"
pair "MARCXML -> ISO2709" "$W/utf8.xml" "-f marcxml -t iso2709" "-i marcxml -o marc"
pair "MARC-8 -> UTF-8" "$W/marc8.mrc" "-f iso2709 -t iso2709" "-f marc8 -t utf-8 -l 9=97 -i marc -o marc"
pair "ISO2709 -> mrk (line)" "$W/utf8.mrc" "-f iso2709 -t mrk" "-i marc -o line"

if [ "$BENCH_BIG" = 1 ]; then
  big=$((BENCH_N * 10))
  echo
  echo "memory: $big records streamed through a pipe (target peak RSS < 16 MB)"
  for spec in "iso2709 marcxml" "iso2709 mrk"; do
    set -- $spec
    t0=$(date +%s%N)
    i=0; while [ $i -lt 10 ]; do cat "$W/utf8.mrc"; i=$((i + 1)); done |
      $TIME -f %M -o "$W/rss" "$BM" convert -q --rejects "$W/rejects" -f "$1" -t "$2" >/dev/null
    t1=$(date +%s%N)
    rss=$(tail -n 1 "$W/rss")
    verdict=ok; [ "$rss" -lt 16384 ] || verdict="OVER TARGET"
    printf '  %-22s %8.1f s %8d rec/s  peak RSS %6.1f MB  %s\n' "$1 -> $2" \
      "$(awk -v d=$((t1 - t0)) 'BEGIN { print d / 1e9 }')" \
      "$(awk -v d=$((t1 - t0)) -v n=$big 'BEGIN { printf "%d", n / (d / 1e9) }')" \
      "$(awk -v r="$rss" 'BEGIN { print r / 1024 }')" "$verdict"
  done
fi
