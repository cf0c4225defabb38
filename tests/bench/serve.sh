#!/bin/sh
# serve.sh - searches/s and p99 latency of `bienmuc serve` against zebrasrv
# on the same records in the same run, with 1, 8 and 32 concurrent clients
# (each client: one Z39.50 connection kept open, then search + present 10,
# repeated; the search terms are single keywords, see load.c below).
#
# Loopback only (both servers listen on 127.0.0.1), bounded: BENCH_SECONDS
# per run (default 5), BENCH_ROUNDS interleaved rounds (default 3) of
# bienmuc then zebra for each client count; a client gives up on a request
# after 30 s. Prints a table: median (min-max) searches/s of both, the
# ratio bienmuc/zebra of the medians, and p99 latency in ms of both.
#
# Records: BENCH_RECORDS (default 200000) generated with
# tests/bench/gen-records.awk (the catalogue benchmark's generator), or
# BENCH_MRC=FILE to serve an existing ISO 2709 file (e.g. the 1M file
# catalog.sh generated). Indexing is the slow part (2-core VM: bienmuc
# ~300 s, zebraidx ~15 min for 1M records), so BENCH_CACHE=DIR keeps
# recs.mrc, cat.db and the Zebra register (z/) in DIR and reuses them on the
# next run (delete DIR to rebuild; keep it under /tmp, never in the repo).
# The issue's benchmark: BENCH_RECORDS=1000000 BENCH_CACHE=/tmp/bm-serve-1m.
# Extra knobs: BENCH_CLIENTS (default "1 8 32"), BENCH_SERVE_OPTS (e.g. -T or
# --estimate-hits: broad searches of several words then get estimated counts),
# BENCH_BM (the bienmuc binary to serve with, e.g. an older build).
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BM=${BENCH_BM:-$ROOT/bienmuc}
SECS=${BENCH_SECONDS:-5} N=${BENCH_RECORDS:-200000} ROUNDS=${BENCH_ROUNDS:-3}
CLIENTS=${BENCH_CLIENTS:-1 8 32}
ZREF=${BM_ZEBRA_REF:-$ROOT/../shared/notes/zebra-reference}
[ -d "$ZREF" ] || ZREF=/work/shared/notes/zebra-reference
[ -x "$BM" ] || { echo "serve.sh: build bienmuc first (make)"; exit 2; }
SP="" ZPID=""
W=$(mktemp -d "${TMPDIR:-/tmp}/bmserve.XXXXXX")
trap 'for p in $SP $ZPID; do kill $p 2>/dev/null; done; rm -rf "$W"' EXIT INT TERM
C=${BENCH_CACHE:-$W}
mkdir -p "$C"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
waitp() { python3 -c '
import socket,sys,time
e=time.time()+60
while time.time()<e:
    try: socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.5).close(); sys.exit(0)
    except OSError: time.sleep(0.1)
sys.exit(1)' "$1"; }

# the load generator: P processes, each one connection, search + present 10
# (records 1-10 as MARC21), until SECS have passed; one line per search:
# "seconds errorcode"
cat >"$W/load.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <yaz/zoom.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}
int main(int argc,char**argv){
  if(argc<5)return 2;
  const char*addr=argv[1];int P=atoi(argv[2]);double secs=atof(argv[3]);const char*out=argv[4];
  static const char*terms[]={"van","hoc","viet","nam","kieu","lich","su","tieu","thuyet","nguyen","tho","ca","dia","ly","kinh","te"};
  for(int p=0;p<P;p++) if(!fork()){
    char fn[512];snprintf(fn,sizeof fn,"%s.%d",out,p);FILE*f=fopen(fn,"w");
    ZOOM_options o=ZOOM_options_create();ZOOM_options_set(o,"preferredRecordSyntax","usmarc");
    ZOOM_options_set(o,"timeout","30");
    ZOOM_connection c=ZOOM_connection_create(o);ZOOM_connection_connect(c,addr,0);
    double end=now()+secs;int i=p*7;
    while(now()<end){
      char q[64];snprintf(q,sizeof q,"@attr 1=1016 %s",terms[i++%16]);
      double t0=now();ZOOM_resultset r=ZOOM_connection_search_pqf(c,q);
      size_t n=ZOOM_resultset_size(r);ZOOM_record recs[10];
      ZOOM_resultset_records(r,recs,0,n<10?n:10);
      int e=ZOOM_connection_errcode(c);ZOOM_resultset_destroy(r);
      fprintf(f,"%.6f %d\n",now()-t0,e);
      if(e==ZOOM_ERROR_CONNECT||e==ZOOM_ERROR_CONNECTION_LOST||e==ZOOM_ERROR_TIMEOUT)break;
    }
    fclose(f);ZOOM_connection_destroy(c);_exit(0);}
  while(wait(NULL)>0);return 0;}
C
cc -O2 -o "$W/load" "$W/load.c" $(pkg-config --cflags --libs yaz)

t0=$(date +%s)
# records
if [ -n "$BENCH_MRC" ]; then
  [ -s "$BENCH_MRC" ] || { echo "serve.sh: $BENCH_MRC: no such file"; exit 2; }
  [ -e "$C/recs.mrc" ] || ln -s "$(cd "$(dirname "$BENCH_MRC")" && pwd)/$(basename "$BENCH_MRC")" "$C/recs.mrc"
elif [ ! -s "$C/recs.mrc" ]; then
  echo "serve.sh: generating $N records ..."
  awk -v n="$N" -f "$ROOT/tests/bench/gen-records.awk" >"$W/recs.mrk"
  "$BM" convert -q -f mrk -t iso2709 -o "$C/recs.mrc" "$W/recs.mrk"
  rm -f "$W/recs.mrk"
fi
if [ ! -s "$C/cat.db" ]; then
  echo "serve.sh: importing into bienmuc ..."
  s=$(date +%s)
  "$BM" import -q -d "$C/cat.db" "$C/recs.mrc" || { echo "serve.sh: import failed"; exit 2; }
  echo "serve.sh: bienmuc import $(( $(date +%s) - s )) s"
fi
NREC=$("$BM" search -d "$C/cat.db" -c 'kw=a or kw=van or kw=viet' 2>/dev/null || echo "?")
HAVE_ZEBRA=0
if command -v zebrasrv >/dev/null && [ -f "$ZREF/zebra.cfg.in" ]; then
  HAVE_ZEBRA=1
  if [ ! -f "$C/z/indexed" ]; then
    echo "serve.sh: indexing with zebraidx ..."
    rm -rf "$C/z"; mkdir -p "$C/z/register" "$C/z/lock" "$C/z/tmp"
    sed -e "s|@CONF@|$ZREF|g" -e "s|@REG@|$C/z|g" "$ZREF/zebra.cfg.in" >"$C/z/zebra.cfg"
    s=$(date +%s)
    zebraidx -c "$C/z/zebra.cfg" -l "$C/z/idx.log" init
    zebraidx -c "$C/z/zebra.cfg" -l "$C/z/idx.log" update "$C/recs.mrc" >/dev/null 2>&1 ||
      { echo "serve.sh: zebraidx failed"; exit 2; }
    echo "serve.sh: zebraidx $(( $(date +%s) - s )) s"
    : >"$C/z/indexed"
  fi
fi
[ "$C" = "$W" ] || echo "serve.sh: catalogues kept in $C (reused next time)"

SPORT=$(port)
# shellcheck disable=SC2086
"$BM" serve $BENCH_SERVE_OPTS -d "$C/cat.db" -l tcp:127.0.0.1:$SPORT --log "$W/bm.log" 2>"$W/bm.err" & SP=$!
waitp $SPORT || { echo "serve.sh: bienmuc serve did not start"; exit 2; }
if [ $HAVE_ZEBRA = 1 ]; then
  ZPORT=$(port)
  sed -e "s|@PORT@|$ZPORT|g" -e "s|<config>zebra.cfg</config>|<config>$C/z/zebra.cfg</config>|" \
    "$ZREF/yazgfs.xml.in" >"$W/yazgfs.xml"
  zebrasrv -f "$W/yazgfs.xml" -l "$W/zsrv.log" & ZPID=$!
  waitp $ZPORT || { echo "serve.sh: zebrasrv did not start"; exit 2; }
fi

# run ADDR P -> "searches/s p99_ms errors"
run() {
  rm -f "$W/lat".*
  "$W/load" "$1" "$2" "$SECS" "$W/lat"
  cat "$W/lat".* | sort -n | awk -v s="$SECS" '{ a[NR] = $1; if ($2) e++ } END {
    n = NR; i = int(n * 0.99 + 0.999); if (i < 1) i = 1
    printf "%.1f %.1f %d\n", n / s, a[i] * 1000, e + 0 }'
}
med() { sort -n "$1" | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print 0 }'; }
mm() { sort -n "$1" | awk '{ a[NR] = $1 } END { if (NR) printf "%s (%s-%s)", a[int((NR + 1) / 2)], a[1], a[NR]; else printf "-" }'; }

echo "bench serve: $NREC records ($(( $(stat -L -c %s "$C/recs.mrc") / 1048576 )) MB), ${SECS} s per run," \
  "$ROUNDS interleaved rounds; load: $(cut -d' ' -f1-3 /proc/loadavg)"
for P in $CLIENTS; do
  : >"$W/b.$P"; : >"$W/bp.$P"; : >"$W/z.$P"; : >"$W/zp.$P"; : >"$W/e.$P"
  r=0
  while [ $r -lt "$ROUNDS" ]; do
    set -- $(run tcp:127.0.0.1:$SPORT/catalog $P); echo "$1" >>"$W/b.$P"; echo "$2" >>"$W/bp.$P"; echo "bienmuc $3" >>"$W/e.$P"
    if [ $HAVE_ZEBRA = 1 ]; then
      set -- $(run tcp:127.0.0.1:$ZPORT/Default $P); echo "$1" >>"$W/z.$P"; echo "$2" >>"$W/zp.$P"; echo "zebra $3" >>"$W/e.$P"
    fi
    r=$((r + 1))
  done
done
echo
printf '%-7s  %-24s  %-24s  %-5s  %-24s  %s\n' clients "bienmuc searches/s" "zebra searches/s" ratio \
  "bienmuc p99 ms" "zebra p99 ms"
for P in $CLIENTS; do
  ratio=$(awk -v b="$(med "$W/b.$P")" -v z="$(med "$W/z.$P")" 'BEGIN { if (z > 0) printf "%.2f", b / z; else printf "-" }')
  printf '%-7s  %-24s  %-24s  %-5s  %-24s  %s\n' "$P" "$(mm "$W/b.$P")" "$(mm "$W/z.$P")" "$ratio" \
    "$(mm "$W/bp.$P")" "$(mm "$W/zp.$P")"
done
echo "(median (min-max) of $ROUNDS runs; ratio = bienmuc/zebra medians; target at 32 clients:" \
  "ratio >= 1 and bienmuc p99 <= 50 ms)"
awk '$2 > 0 { e[$1] += $2 } END { for (k in e) printf "serve.sh: %s: %d searches with a diagnostic or error\n", k, e[k] }' \
  "$W"/e.* 
echo "serve.sh: $(( $(date +%s) - t0 )) s; load now: $(cut -d' ' -f1-3 /proc/loadavg)"
