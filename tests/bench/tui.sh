#!/bin/sh
# tui.sh - benchmarks of the workstation (not a test; `make bench`):
#   start-up to the first screen, peak RSS, search-to-results time, and
#   instructions per keystroke while editing a 60-field record
#   (valgrind --tool=callgrind, difference between two scripted runs),
#   plus the terminal output (bytes) per keystroke in the editor.
# usage: tests/bench/tui.sh [DB]   (default: $BENCH_DB, else a generated
#   catalogue of BENCH_TUI_N records (default 1000000, gen-records.awk like
#   catalog.sh), cached as $BENCH_CACHE/tui-N.db (default /tmp/bienmuc-bench;
#   building 1M takes ~8 min once; delete the file to rebuild);
#   BENCH_TUI_N=0 uses the small tests/data/bib-vi.mrc catalogue).
# Each measurement runs BENCH_RUNS times (default 5): median (min-max).
# Targets (issue 5): start-up <= 100 ms, RSS <= 16 MB, <= 2 M
# instructions/key, search <= 50 ms.
cd "$(dirname "$0")/../.." || exit 2
BM=$(pwd)/bienmuc
T=$(mktemp -d "${TMPDIR:-/tmp}/bmbench.XXXXXX")
trap 'tmux -L bmbench$$ kill-server 2>/dev/null; rm -rf "$T"' EXIT
command -v tmux >/dev/null || { echo "tui: tmux missing, skipped"; exit 0; }
: "${BENCH_RUNS:=5}"
: "${BENCH_TUI_N:=1000000}"
: "${BENCH_CACHE:=${TMPDIR:-/tmp}/bienmuc-bench}"
DB=${1:-${BENCH_DB:-}}
if [ -z "$DB" ] && [ "$BENCH_TUI_N" = 0 ]; then
  DB=$T/c.db
  "$BM" import -q -d "$DB" tests/data/bib-vi.mrc >/dev/null 2>&1
elif [ -z "$DB" ]; then
  mkdir -p "$BENCH_CACHE" || exit 2
  DB=$BENCH_CACHE/tui-$BENCH_TUI_N.db
  if [ ! -s "$DB" ]; then
    echo "tui: building a $BENCH_TUI_N-record catalogue in $DB (once) ..."
    s0=$(date +%s)
    awk -v n="$BENCH_TUI_N" -f tests/bench/gen-records.awk > "$T/gen.mrk" &&
    "$BM" convert -q -f mrk -o "$T/gen.mrc" "$T/gen.mrk" && rm -f "$T/gen.mrk" &&
    "$BM" import -q -d "$DB.tmp" "$T/gen.mrc" && rm -f "$T/gen.mrc" &&
    mv "$DB.tmp" "$DB" || { echo "tui: cannot build $DB"; rm -f "$DB.tmp"*; exit 2; }
    rm -f "$DB.tmp"*
    echo "tui: built in $(( $(date +%s) - s0 )) s"
  fi
fi
QUERY=${BENCH_QUERY:-ti=việt}
X="tmux -L bmbench$$ -f /dev/null"
now_ms() { date +%s%3N; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
minmax() { sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s-%s", lo, hi }'; }
stat3() { [ -s "$1" ] && echo "$(median < "$1") (min-max $(minmax < "$1"), $(wc -l < "$1") runs)"; }
wait_for() {  # wait_for TEXT: poll the screen (5 ms steps, 20 s max)
  end=$(( $(now_ms) + 20000 ))
  while [ "$(now_ms)" -lt "$end" ]; do
    $X capture-pane -p -t b 2>/dev/null | grep -F -q -- "$1" && return 0
    sleep 0.005
  done
  echo "tui: timed out waiting for '$1'" >&2; return 1
}
start() { $X new-session -d -s b -x 80 -y 24 "env TERM=xterm LC_ALL=C.UTF-8 HOME=$T $*; sleep 60"; }
stop() { $X kill-server 2>/dev/null; sleep 0.2; }
echo "tui: catalogue $DB ($(du -m "$DB" | cut -f1) MB)"

# a 60-field record to edit
IDF=$DB.tui-id
ID=$(cat "$IDF" 2>/dev/null)
[ -n "$ID" ] && ! "$BM" shell -d "$DB" -c "open id=$ID" 2>/dev/null | grep -q '^245' && ID=
new_record() {
  { echo "new"
  echo "field set 245 10 \$a Bản ghi thử nghiệm sáu mươi trường / \$c Nguyễn Văn A."
  echo "field set 264 _1 \$a Hà Nội : \$b Nxb. Thử, \$c 2024."
  echo "field set 300 # \$a 100 tr. ; \$c 21 cm."
  i=0; while [ $i -lt 54 ]; do i=$((i+1)); echo "field add 500 # \$a Ghi chú số $i về nội dung của tài liệu tiếng Việt."; done
  echo "save!"; } | "$BM" shell -d "$DB" > "$T/new.out" 2>&1
  grep -o 'saved [a-z0-9]*' "$T/new.out" | head -1 | cut -d' ' -f2
}
[ -n "$ID" ] || ID=$(new_record)
case $DB in "$BENCH_CACHE"/*) echo "$ID" > "$IDF";; esac
NF=$("$BM" shell -d "$DB" -c "open id=$ID" 2>/dev/null | grep -c '^[0-9L]')

# 1-3. start-up, search, peak RSS: BENCH_RUNS runs
r=0
while [ $r -lt "$BENCH_RUNS" ]; do
  r=$((r + 1))
  t0=$(now_ms); start "$BM -d $DB"; wait_for "Tìm/Search" && echo $(( $(now_ms) - t0 )) >> "$T/start"
  $X send-keys -t b -l "$QUERY"; t0=$(now_ms); $X send-keys -t b Enter
  wait_for " found" && echo $(( $(now_ms) - t0 )) >> "$T/search"
  $X send-keys -t b : ; $X send-keys -t b -l "open id=$ID"; $X send-keys -t b Enter e
  wait_for "editor"
  pid=$(pgrep -n -f "bienmuc -d $DB")
  [ -n "$pid" ] && awk '/VmHWM/ { printf "%.1f\n", $2 / 1024 }' /proc/$pid/status >> "$T/rss"
  # where the memory is (first run, read after the peak was taken)
  [ -n "$pid" ] && [ $r = 1 ] && cat /proc/$pid/smaps > "$T/smaps" 2>/dev/null
  stop
done
echo "tui: start-up to first screen: $(stat3 "$T/start") ms (target <= 100; includes tmux start)"
echo "tui: search '$QUERY' to results on screen: $(stat3 "$T/search") ms (target <= 50)"
echo "tui: peak RSS (search + open + editor, $NF lines): $(stat3 "$T/rss") MB (target <= 16)"
# resident kB per mapped file (heap, the binary, each library) in the
# editor, largest first; "dirty" = private dirty (relocations, data, heap)
[ -s "$T/smaps" ] && awk '
  /^[0-9a-f]+-[0-9a-f]+ / { n = NF >= 6 ? $6 : "[anon]"; sub(".*/", "", n); next }
  /^Rss:/ { rss[n] += $2; tot += $2 }
  /^Private_Dirty:/ { pd[n] += $2; tpd += $2 }
  END { printf "tui:   resident in the editor (run 1): %d kB, %d kB dirty\n", tot, tpd
        for (n in rss) if (rss[n]) print rss[n], pd[n], n }' "$T/smaps" |
  { read -r head; echo "$head"; sort -rn | awk '
    NR <= 12 { printf "tui:     %6d kB (%5d dirty) %s\n", $1, $2, $3; next }
    { o += $1; k++ } END { if (k) printf "tui:     %6d kB in %d more mappings\n", o, k }'; }

# 4. instructions per keystroke: callgrind, run with K extra keys minus run
# without (BENCH_RUNS pairs); also the Ir spent under sqlite3_step (a
# keystroke should run no catalogue query: ~0)
editkeys() {  # editkeys NKEYS: open the editor on the 245, type NKEYS keys
  $X send-keys -t b e; wait_for "editor"
  $X send-keys -t b : ; $X send-keys -t b -l "goto 245"; $X send-keys -t b Enter Enter
  sleep 0.3
  k=0; while [ $k -lt "$1" ]; do
    $X send-keys -t b -l "ệ"; k=$((k+1)); sleep 0.02
  done
}
cg() {  # cg NKEYS -> "total-Ir sqlite3_step-inclusive-Ir"
  out=$T/cg.$1
  rm -f "$out"
  start "valgrind --tool=callgrind --callgrind-out-file=$out $BM -d $DB -c 'open id=$ID'"
  wait_for "245 10" || return
  editkeys "$1"
  $X send-keys -t b Escape; sleep 0.7; $X send-keys -t b : ; $X send-keys -t b -l "quit!"; $X send-keys -t b Enter
  end=$(( $(now_ms) + 60000 ))
  while [ ! -s "$out" ] && [ "$(now_ms)" -lt "$end" ]; do sleep 0.1; done
  sleep 0.5; stop
  tot=$(awk '/^summary:|^totals:/ {print $2; exit}' "$out")
  st=$(callgrind_annotate --inclusive=yes --threshold=100 "$out" 2>/dev/null |
       awk '/sqlite3_step / { gsub(",", "", $1); print $1; exit }')
  echo "$tot ${st:-0}"
}
K=100
if command -v valgrind >/dev/null; then
  r=0
  while [ $r -lt "$BENCH_RUNS" ]; do
    r=$((r + 1))
    a=$(cg 0); b=$(cg $K)
    set -- $a $b
    [ $# = 4 ] || continue
    echo $(( ($3 - $1) / K )) >> "$T/ir"
    echo $(( ($4 - $2) / K )) >> "$T/irq"
  done
  if [ -s "$T/ir" ]; then
    echo "tui: instructions per keystroke while editing a $NF-line record: $(stat3 "$T/ir") (target <= 2000000)"
    echo "tui:   of which under sqlite3_step (catalogue queries): $(stat3 "$T/irq") (should be ~0)"
  else
    echo "tui: callgrind run failed"
  fi
else
  echo "tui: valgrind missing, instructions per keystroke skipped"
fi

# 5. terminal output per keystroke in the editor (tmux pipe-pane)
r=0
while [ $r -lt "$BENCH_RUNS" ]; do
  r=$((r + 1))
  start "$BM -d $DB -c 'open id=$ID'"
  wait_for "245 10" || continue
  editkeys 0
  : > "$T/pipe"
  $X pipe-pane -t b -o "cat >> $T/pipe"; sleep 0.2
  k=0; while [ $k -lt $K ]; do $X send-keys -t b -l "ệ"; k=$((k+1)); sleep 0.01; done
  sleep 0.5; $X pipe-pane -t b; sleep 0.1
  echo $(( $(wc -c < "$T/pipe") / K )) >> "$T/bytes"
  stop
done
echo "tui: terminal output per keystroke in the editor: $(stat3 "$T/bytes") bytes (a full 80x24 repaint is ~2000+)"
