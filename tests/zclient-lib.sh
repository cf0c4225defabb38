# zclient-lib.sh - helpers for the zclient-*.test files (sourced after
# lib.sh): free loopback ports, servers started in the background and
# killed at exit, every wait bounded.
_zpids=""
trap 'for p in $_zpids; do kill $p 2>/dev/null; done; rm -rf "$TMP"' EXIT
# free_port: print a TCP port nobody listens on (127.0.0.1); the tests
# run under sh (dash), which has no /dev/tcp, so ask python3
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# wait_port PORT: up to 10 s for a listener
wait_port() {
  python3 -c '
import socket, sys, time
end = time.time() + 10
while time.time() < end:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.5).close(); sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)' "$1"
}
bg_pid() { _zpids="$_zpids $1"; }
# silent_server PORT: accepts connections, never answers (60 s at most)
silent_server() {
  timeout 60 python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16); held = []
while True:
    c, _ = s.accept(); held.append(c)
' "$1" &
  bg_pid $!
}
