#!/bin/sh
# catalog.sh - the catalogue benchmark (run by tests/bench/run, i.e.
# `make bench`; not a test).
#
# 1. Generates BENCH_N (default 100,000) synthetic Vietnamese records
#    (tests/bench/gen-records.awk: 16-17 fields, ~680 bytes, distinct 001s
#    and ISBNs) as UTF-8 ISO 2709.
# 2. Imports them into a fresh catalogue with every index (FTS5 keyword,
#    browse, match keys, journal) and indexes the same file with Zebra's
#    zebraidx (Koha-like MARC21 dom configuration from
#    ../shared/notes/zebra-reference), BENCH_RUNS times (default 5)
#    interleaved; prints records/s median (min-max) of both, the ratio
#    (target >= 10), bienmuc's peak RSS (target <= 64 MB), DB size per
#    record, and the CPU-time rate (the machine may be shared: wall-clock
#    rates then understate what bienmuc can do; both are printed). Each
#    run also imports the same records with a Koha 952 each (one copy a
#    record): "import with item fields", records/s median (min-max).
# 3. With BENCH_BIG=1 (default) does the same for 10 x BENCH_N
#    (1,000,000) records, BENCH_BIG_RUNS times (default BENCH_RUNS)
#    interleaved with zebraidx (unless BENCH_ZEBRA_BIG=0), then runs
#    1,000 queries (a quarter each: keyword = a full name, title phrase,
#    known item, ISBN; see catalog-queries.awk) against the 1M catalogue,
#    in process (tests/bench/catalog-search.c), like a search screen (hit
#    count + first 10 records): median and p99 in ms, wall and CPU (target
#    p99 <= 20 ms). The generated vocabulary is small, so the keyword and
#    title queries hit thousands of records each: the worst case, not the
#    usual one. With BENCH_BIG=0 the queries run on the 100k catalogue.
# Time on a 2-core VM: about 8 minutes for the 100k part (zebraidx takes
# 20-50 s a run), 4-10 more for each run of the 1M part (zebraidx 3.5-8
# minutes a run): 20-50 minutes with 5 runs; BENCH_BIG_RUNS=1 for a
# quick look.
: "${BM_ROOT:=$(pwd)}"
: "${BM_SHARED:=$BM_ROOT/../shared/data}"
: "${BENCH_RUNS:=5}"
: "${BENCH_N:=100000}"
: "${BENCH_BIG:=1}"
: "${BENCH_ZEBRA_BIG:=1}"
: "${BENCH_BIG_RUNS:=$BENCH_RUNS}"
BM="$BM_ROOT/bienmuc"
TIME=/usr/bin/time
ZREF="$BM_SHARED/../notes/zebra-reference"
[ -d "$ZREF" ] || ZREF=/work/shared/notes/zebra-reference
[ -x "$BM" ] || { echo "catalog.sh: build bienmuc first (make)"; exit 2; }
[ -x "$TIME" ] || { echo "catalog.sh: $TIME is missing (apt-get install time)"; exit 2; }
W=$(mktemp -d "${TMPDIR:-/tmp}/bmcat.XXXXXX")
trap 'rm -rf "$W"' EXIT
HAVE_ZEBRA=1
command -v zebraidx >/dev/null 2>&1 && [ -f "$ZREF/zebra.cfg.in" ] || HAVE_ZEBRA=0
[ $HAVE_ZEBRA = 1 ] || echo "catalog.sh: zebraidx or $ZREF missing: no reference numbers"

gen() {  # gen N OUT.mrc [ITEMS.mrc]
  awk -v n="$1" -f "$BM_ROOT/tests/bench/gen-records.awk" > "$W/gen.mrk" &&
  "$BM" convert -q -f mrk -o "$2" "$W/gen.mrk" || return 1
  # the same records with a Koha 952 for their 852: each gives a copy
  if [ -n "$3" ]; then
    sed 's/^=852  \\\\\$aVN-GEN\$hVV \([0-9]*\)\$j\([0-9]*\)/=952  \\\\$aVN-GEN$bVN-GEN$o\1$pBC\2$yBK/' \
      "$W/gen.mrk" > "$W/gen-items.mrk" &&
    "$BM" convert -q -f mrk -o "$3" "$W/gen-items.mrk" || return 1
  fi
  rm -f "$W/gen.mrk" "$W/gen-items.mrk"
}
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
minmax() { sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s-%s", lo, hi }'; }

# one bienmuc import: prints "wall_s cpu_s maxrss_kb dbsize_bytes"
bm_import() {  # FILE DB
  rm -f "$2" "$2-wal" "$2-shm" "$2-wait"
  sync  # the last run's writes (ours or zebraidx's) go to disk before the clock starts
  $TIME -f "%e %U %S %M" -o "$W/t" "$BM" import -q -d "$2" "$1" || return 1
  read -r e u s m < "$W/t"
  echo "$e $(echo "$u $s" | awk '{ print $1 + $2 }') $m $(stat -c %s "$2")"
}
# one zebraidx run on a fresh register: prints wall seconds
zebra_index() {  # FILE
  Z="$W/zebra"; rm -rf "$Z"; mkdir -p "$Z/register" "$Z/lock" "$Z/tmp"
  sed -e "s|@CONF@|$ZREF|g" -e "s|@REG@|$Z|g" "$ZREF/zebra.cfg.in" > "$Z/zebra.cfg"
  zebraidx -c "$Z/zebra.cfg" -l "$Z/idx.log" init >/dev/null 2>&1
  sync  # as for bienmuc: nobody's earlier writes are flushed on its clock
  $TIME -f "%e" -o "$W/zt" zebraidx -c "$Z/zebra.cfg" -l "$Z/idx.log" update "$1" >/dev/null 2>&1 || return 1
  cat "$W/zt"
}

report() {  # N LABEL  (reads $W/bm.txt: wall cpu rss size; $W/zb.txt: wall)
  n=$1
  awk -v n="$n" '{ printf "%.0f\n", n / $1 }' "$W/bm.txt" > "$W/bm.rate"
  awk -v n="$n" '{ printf "%.0f\n", n / $2 }' "$W/bm.txt" > "$W/bm.cpurate"
  bmed=$(median < "$W/bm.rate")
  printf "  bienmuc import:  %8s records/s median (%s), %s records/s of CPU time\n" \
    "$bmed" "$(minmax < "$W/bm.rate")" "$(median < "$W/bm.cpurate")"
  printf "  peak RSS:        %8s MB (max of runs; target <= 64)\n" \
    "$(awk '{ print $3 }' "$W/bm.txt" | sort -n | tail -1 | awk '{ printf "%.1f", $1 / 1024 }')"
  printf "  catalogue size:  %8s bytes/record (%s MB; input %s bytes/record)\n" \
    "$(awk -v n="$n" 'END { printf "%.0f", $4 / n }' "$W/bm.txt")" \
    "$(awk 'END { printf "%.0f", $4 / 1048576 }' "$W/bm.txt")" "$2"
  if [ -s "$W/zb.txt" ]; then
    awk -v n="$n" '{ printf "%.0f\n", n / $1 }' "$W/zb.txt" > "$W/zb.rate"
    zmed=$(median < "$W/zb.rate")
    printf "  zebraidx:        %8s records/s median (%s)\n" "$zmed" "$(minmax < "$W/zb.rate")"
    printf "  ratio:           %8s x zebraidx (target >= 10; >= 20,000 records/s on 100k)\n" \
      "$(echo "$bmed $zmed" | awk '{ printf "%.1f", $1 / $2 }')"
  fi
}

echo "catalog: generating $BENCH_N records ..."
gen "$BENCH_N" "$W/n.mrc" "$W/ni.mrc" || exit 2
per=$(($(stat -c %s "$W/n.mrc") / BENCH_N))
echo "catalog: import $BENCH_N records, $BENCH_RUNS runs interleaved with zebraidx and with an import of the same records with item fields (load: $(cut -d' ' -f1-3 /proc/loadavg))"
: > "$W/bm.txt"; : > "$W/zb.txt"; : > "$W/bmi.txt"
i=0
while [ $i -lt "$BENCH_RUNS" ]; do
  bm_import "$W/n.mrc" "$W/n.db" >> "$W/bm.txt" || { echo "catalog: import failed"; exit 2; }
  [ $HAVE_ZEBRA = 1 ] && { zebra_index "$W/n.mrc" >> "$W/zb.txt" || echo "catalog: zebraidx failed"; }
  bm_import "$W/ni.mrc" "$W/ni.db" >> "$W/bmi.txt" || { echo "catalog: import with item fields failed"; exit 2; }
  i=$((i + 1))
done
rm -f "$W/ni.mrc" "$W/ni.db" "$W/ni.db-wal" "$W/ni.db-shm" "$W/ni.db-wait"
report "$BENCH_N" "$per"
# the same records, each with a 952 (a copy): bienmuc only
awk -v n="$BENCH_N" '{ printf "%.0f\n", n / $1 }' "$W/bmi.txt" > "$W/bmi.rate"
printf "  import with item fields: %s records/s median (%s; a 952 each: %s copies)\n" \
  "$(median < "$W/bmi.rate")" "$(minmax < "$W/bmi.rate")" "$BENCH_N"
SEARCH_DB="$W/n.db"; SEARCH_N=$BENCH_N

if [ "$BENCH_BIG" = 1 ]; then
  big=$((BENCH_N * 10))
  echo "catalog: generating $big records ..."
  rm -f "$W/n.mrc"
  gen "$big" "$W/big.mrc" || exit 2
  per=$(($(stat -c %s "$W/big.mrc") / big))
  echo "catalog: import $big records, $BENCH_BIG_RUNS runs interleaved with zebraidx (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  : > "$W/bm.txt"; : > "$W/zb.txt"
  i=0
  while [ $i -lt "$BENCH_BIG_RUNS" ]; do
    bm_import "$W/big.mrc" "$W/big.db" >> "$W/bm.txt" || { echo "catalog: import failed"; exit 2; }
    [ $HAVE_ZEBRA = 1 ] && [ "$BENCH_ZEBRA_BIG" = 1 ] && { zebra_index "$W/big.mrc" >> "$W/zb.txt" || echo "catalog: zebraidx failed"; }
    rm -rf "$W/zebra"
    i=$((i + 1))
  done
  report "$big" "$per"
  SEARCH_DB="$W/big.db"; SEARCH_N=$big
fi

echo "catalog: 1000 searches and 100 browse pages (20 headings) on the $SEARCH_N-record catalogue (in process; hit count + first 10 records)"
PKGS="yaz yaz-server sqlite3 ncursesw libedit libutf8proc icu-i18n icu-uc zlib"
cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -I"$BM_ROOT/src" \
  -o "$W/catalog-search" "$BM_ROOT/tests/bench/catalog-search.c" "$BM_ROOT/build/libbienmuc.a" \
  $(pkg-config --cflags --libs $PKGS) -lm -lutil -lcrypt || { echo "catalog: cannot build the search driver"; exit 2; }
awk -v n=1000 -v max="$SEARCH_N" -f "$BM_ROOT/tests/bench/catalog-queries.awk" > "$W/q.txt"
"$W/catalog-search" "$SEARCH_DB" < "$W/q.txt" | sed 's/^/  /'
echo "  (target: p99 <= 20 ms on 1M records; load now: $(cut -d' ' -f1-3 /proc/loadavg))"
