#!/bin/sh
# serve.sh - searches/s and p99 latency of `bienmuc serve` against zebrasrv
# on the same records, with 1, 8 and 32 concurrent clients (each: one
# Z39.50 connection, search + present 10, repeated). Loopback only,
# bounded: BENCH_SECONDS per run (default 5), BENCH_RECORDS records
# (default 20000 generated with tests/bench/gen-records.awk when present,
# else tests/data repeated), BENCH_ROUNDS interleaved rounds (default 3):
# median and min-max of each, and the ratio bienmuc/zebra.
# The 1M catalogue of the issue takes too long to index on a 2-core VM;
# set BENCH_RECORDS=1000000 to try it.
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BM=$ROOT/bienmuc
SECS=${BENCH_SECONDS:-5} N=${BENCH_RECORDS:-20000} ROUNDS=${BENCH_ROUNDS:-3}
ZREF=${BM_ZEBRA_REF:-$ROOT/../shared/notes/zebra-reference}
W=$(mktemp -d); trap 'kill $SP $ZPID 2>/dev/null; rm -rf "$W"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
waitp() { python3 -c '
import socket,sys,time
e=time.time()+30
while time.time()<e:
    try: socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.5).close(); sys.exit(0)
    except OSError: time.sleep(0.1)
sys.exit(1)' "$1"; }

# the load generator: P processes, each one connection, search+present 10
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
    }
    fclose(f);ZOOM_connection_destroy(c);_exit(0);}
  while(wait(NULL)>0);return 0;}
C
cc -O2 -o "$W/load" "$W/load.c" $(pkg-config --cflags --libs yaz)

# records: N, each with its own 001
if [ -f "$ROOT/tests/bench/gen-records.awk" ] && awk -f "$ROOT/tests/bench/gen-records.awk" -v n=1 </dev/null >/dev/null 2>&1; then
  awk -f "$ROOT/tests/bench/gen-records.awk" -v n="$N" </dev/null >"$W/recs.mrk" 2>/dev/null || true
fi
if [ -s "$W/recs.mrk" ]; then "$BM" convert -q -t iso2709 -o "$W/recs.mrc" "$W/recs.mrk"
else
  i=0; : >"$W/recs.mrk"
  while [ $i -lt $((N / 20 + 1)) ]; do
    "$BM" convert -q -t mrk "$ROOT/tests/data/bib-vi.mrc" | sed "s/^=001  .*/=001  b${i}x&/" >>"$W/recs.mrk"; i=$((i + 1))
  done
  "$BM" convert -q -t iso2709 -o "$W/recs.mrc" "$W/recs.mrk"
fi
"$BM" import -q -d "$W/cat.db" "$W/recs.mrc" 2>/dev/null || true
NREC=$("$BM" search -d "$W/cat.db" -c 'kw=a or kw=van or kw=the' 2>/dev/null || echo "?")
SPORT=$(port); "$BM" serve -d "$W/cat.db" -l tcp:127.0.0.1:$SPORT 2>/dev/null & SP=$!
waitp $SPORT
ZPID=""
if command -v zebrasrv >/dev/null && [ -f "$ZREF/zebra.cfg.in" ]; then
  mkdir -p $W/z/register $W/z/lock $W/z/tmp; ZPORT=$(port)
  sed -e "s|@CONF@|$ZREF|g" -e "s|@REG@|$W/z|g" "$ZREF/zebra.cfg.in" >$W/z/zebra.cfg
  sed -e "s|@PORT@|$ZPORT|g" -e "s|<config>zebra.cfg</config>|<config>$W/z/zebra.cfg</config>|" "$ZREF/yazgfs.xml.in" >$W/z/yazgfs.xml
  zebraidx -c $W/z/zebra.cfg -l $W/z/idx.log init
  zebraidx -c $W/z/zebra.cfg -l $W/z/idx.log update "$W/recs.mrc" >/dev/null 2>&1 || true
  zebrasrv -f $W/z/yazgfs.xml -l $W/z/srv.log & ZPID=$!
  waitp $ZPORT
fi
echo "bench serve: $(wc -c <"$W/recs.mrc") bytes of records, ${SECS}s per run, $ROUNDS interleaved rounds"
# run NAME ADDR P -> "searches/s p99_ms"
run() {
  rm -f "$W/lat".*; "$W/load" "$2" "$3" "$SECS" "$W/lat"
  cat "$W/lat".* | sort -n | awk -v s="$SECS" '{a[NR]=$1; if ($2) e++} END {
    n=NR; p=a[int(n*0.99) > 0 ? int(n*0.99) : 1]; printf "%.1f %.1f %d\n", n/s, p*1000, e }'
}
stats() { sort -n | awk '{a[NR]=$1} END {printf "median %.1f (%.1f-%.1f)", a[int((NR+1)/2)], a[1], a[NR]}'; }
for P in 1 8 32; do
  : >"$W/b.$P"; : >"$W/bp.$P"; : >"$W/z.$P"; : >"$W/zp.$P"
  for r in $(seq 1 $ROUNDS); do
    set -- $(run bienmuc tcp:127.0.0.1:$SPORT/catalog $P); echo $1 >>"$W/b.$P"; echo $2 >>"$W/bp.$P"
    if [ -n "$ZPID" ]; then set -- $(run zebra tcp:127.0.0.1:$ZPORT/Default $P); echo $1 >>"$W/z.$P"; echo $2 >>"$W/zp.$P"; fi
  done
  printf '%2d clients  bienmuc: %s searches/s, p99 %s ms\n' $P "$(stats <"$W/b.$P")" "$(stats <"$W/bp.$P")"
  if [ -n "$ZPID" ]; then
    printf '%2d clients  zebra:   %s searches/s, p99 %s ms\n' $P "$(stats <"$W/z.$P")" "$(stats <"$W/zp.$P")"
    b=$(sort -n "$W/b.$P" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    z=$(sort -n "$W/z.$P" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    awk -v b="$b" -v z="$z" -v p=$P 'BEGIN { if (z > 0) printf "%2d clients  ratio bienmuc/zebra: %.2f\n", p, b / z }'
  fi
done
