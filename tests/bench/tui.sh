#!/bin/sh
# tui.sh - benchmarks of the workstation (not a test; `make bench`):
#   start-up to the first screen, peak RSS, search-to-results time, and
#   instructions per keystroke while editing a 60-field record
#   (valgrind --tool=callgrind, difference between two scripted runs).
# usage: tests/bench/tui.sh [DB]   (default: $BENCH_DB, else a small
#   catalogue built from tests/data/bib-vi.mrc). Targets (issue 5):
#   start-up <= 100 ms, RSS <= 16 MB, <= 2 M instructions/key, search <= 50 ms.
cd "$(dirname "$0")/../.." || exit 2
BM=$(pwd)/bienmuc
T=$(mktemp -d "${TMPDIR:-/tmp}/bmbench.XXXXXX")
trap 'tmux -L bmbench$$ kill-server 2>/dev/null; rm -rf "$T"' EXIT
command -v tmux >/dev/null || { echo "tui: tmux missing, skipped"; exit 0; }
DB=${1:-${BENCH_DB:-}}
if [ -z "$DB" ]; then
  DB=$T/c.db
  "$BM" import -q -d "$DB" tests/data/bib-vi.mrc >/dev/null 2>&1
fi
QUERY=${BENCH_QUERY:-ti=việt}
X="tmux -L bmbench$$ -f /dev/null"
now_ms() { date +%s%3N; }
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

# a 60-field record to edit
{ echo "new"
  echo "field set 245 10 \$a Bản ghi thử nghiệm sáu mươi trường / \$c Nguyễn Văn A."
  echo "field set 264 _1 \$a Hà Nội : \$b Nxb. Thử, \$c 2024."
  echo "field set 300 # \$a 100 tr. ; \$c 21 cm."
  i=0; while [ $i -lt 54 ]; do i=$((i+1)); echo "field add 500 # \$a Ghi chú số $i về nội dung của tài liệu tiếng Việt."; done
  echo "save!"; } | "$BM" shell -d "$DB" > "$T/new.out" 2>&1
ID=$(grep -o 'saved [a-z0-9]*' "$T/new.out" | head -1 | cut -d' ' -f2)
NF=$("$BM" shell -d "$DB" -c "open id=$ID" 2>/dev/null | grep -c '^[0-9L]')

# 1. start-up to the first screen
t0=$(now_ms); start "$BM -d $DB"; wait_for "Tìm/Search" && t1=$(now_ms)
echo "tui: start-up to first screen: $((t1 - t0)) ms (target <= 100; includes tmux start)"
# 2. search to results
$X send-keys -t b -l "$QUERY"; t0=$(now_ms); $X send-keys -t b Enter
wait_for " found" && t1=$(now_ms)
echo "tui: search '$QUERY' to results on screen: $((t1 - t0)) ms (target <= 50)"
# 3. peak RSS after search, open, edit
$X send-keys -t b : ; $X send-keys -t b -l "open id=$ID"; $X send-keys -t b Enter e
wait_for "editor"
pid=$(pgrep -n -f "bienmuc -d $DB")
[ -n "$pid" ] && echo "tui: peak RSS (search + open + editor, $NF lines): $(awk '/VmHWM/ {print $2/1024 " MB"}' /proc/$pid/status) (target <= 16 MB)"
stop

# 4. instructions per keystroke: callgrind, run with K extra keys minus run without
cg() {  # cg NKEYS -> total instructions
  out=$T/cg.$1
  start "valgrind --tool=callgrind --callgrind-out-file=$out $BM -d $DB -c 'open id=$ID'"
  wait_for "245 10" || return
  $X send-keys -t b e; wait_for "editor"
  $X send-keys -t b : ; $X send-keys -t b -l "goto 245"; $X send-keys -t b Enter Enter
  k=0; while [ $k -lt "$1" ]; do
    $X send-keys -t b -l "ệ"; k=$((k+1)); sleep 0.02
  done
  $X send-keys -t b Escape; sleep 0.7; $X send-keys -t b : ; $X send-keys -t b -l "quit!"; $X send-keys -t b Enter
  end=$(( $(now_ms) + 60000 ))
  while [ ! -s "$out" ] && [ "$(now_ms)" -lt "$end" ]; do sleep 0.1; done
  sleep 0.5; stop
  awk '/^summary:|^totals:/ {print $2; exit}' "$out"
}
if command -v valgrind >/dev/null; then
  K=100
  a=$(cg 0); b=$(cg $K)
  if [ -n "$a" ] && [ -n "$b" ]; then
    echo "tui: instructions per keystroke while editing a $NF-line record: $(( (b - a) / K )) (target <= 2000000)"
  else
    echo "tui: callgrind run failed"
  fi
else
  echo "tui: valgrind missing, instructions per keystroke skipped"
fi
