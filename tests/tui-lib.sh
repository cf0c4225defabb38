# tui-lib.sh - helpers for end-to-end tests of the workstation in a private
# tmux server (sourced after tests/lib.sh). Each test gets its own socket
# (tmux -L bmtestPID-N -f /dev/null), a fixed 80x24 window, TERM and
# LC_ALL pinned, and no user config. Screens are read with capture-pane
# and polled with a timeout; nothing sleeps blindly.
#
#   tui_need                      skip the whole test (exit 0) without tmux
#   tui_catalog DB                build a catalogue from tests/data/bib-vi.mrc
#   tui_start NAME TERM CMD...    start CMD in session NAME
#   tui_keys NAME KEY...          tmux send-keys (key names: Enter, F2, C-s ...)
#   tui_type NAME TEXT            send TEXT literally (UTF-8)
#   tui_wait NAME TEXT [SECS]     wait until TEXT is on the screen (0/1)
#   tui_wait_gone NAME TEXT [SECS]
#   tui_screen NAME               print the screen
#   tui_cursor NAME               print the cursor as X,Y
#   tui_stop NAME                 kill the server
TUI_N=0
TUI_TIMEOUT=${TUI_TIMEOUT:-10}

tui_need() {
  if ! command -v tmux >/dev/null 2>&1; then
    skip "tmux is not installed"; done_testing; exit 0
  fi
}

tui_catalog() {
  "$BM" import -q -d "$1" "$BM_ROOT/tests/data/bib-vi.mrc" >/dev/null 2>&1
}

_tui_sock() { echo "bmtest$$-$1"; }
_tui() { n=$1; shift; tmux -L "$(_tui_sock "$n")" -f /dev/null "$@"; }

tui_start() {
  n=$1; term=$2; shift 2
  # the app must draw on the pane's tty: no redirection of its output.
  # After it exits, print a marker and keep the pane for inspection.
  _tui "$n" new-session -d -s t -x 80 -y 24 \
    "env -u TMUX TERM=$term LC_ALL=C.UTF-8 LANG=C.UTF-8 HOME=$TMP/home XDG_CONFIG_HOME=$TMP/home/.config BIENMUC_USER=$n $*; echo \"[exit \$?]\"; stty -a | tr ' ' '\\n' | grep -E '^-?(icanon|echo)\$' | tr '\\n' ' '; echo; sleep 30"
}

tui_keys() { n=$1; shift; _tui "$n" send-keys -t t "$@"; }
tui_type() { _tui "$1" send-keys -t t -l "$2"; }
tui_screen() { _tui "$1" capture-pane -p -t t; }
tui_cursor() { _tui "$1" display -p -t t '#{cursor_x},#{cursor_y}'; }

tui_wait() {
  n=$1; want=$2; secs=${3:-$TUI_TIMEOUT}
  end=$(( $(date +%s) + secs ))
  while :; do
    if tui_screen "$n" 2>/dev/null | grep -F -q -- "$want"; then return 0; fi
    [ "$(date +%s)" -ge "$end" ] && break
    sleep 0.05
  done
  echo "--- timed out waiting for '$want' on $n; the screen:" >&2
  tui_screen "$n" >&2
  return 1
}

tui_wait_gone() {
  n=$1; want=$2; secs=${3:-$TUI_TIMEOUT}
  end=$(( $(date +%s) + secs ))
  while :; do
    if ! tui_screen "$n" 2>/dev/null | grep -F -q -- "$want"; then return 0; fi
    [ "$(date +%s)" -ge "$end" ] && break
    sleep 0.05
  done
  echo "--- timed out waiting for '$want' to go on $n; the screen:" >&2
  tui_screen "$n" >&2
  return 1
}

tui_resize() { _tui "$1" resize-window -t t -x "$2" -y "$3"; }
tui_stop() { _tui "$1" kill-server 2>/dev/null; }

# check_tui DESCRIPTION NAME TEXT: a check that waits for TEXT
check_tui() { if tui_wait "$2" "$3"; then ok; else fail "$1"; fi; }
