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
# drop_reply_proxy PORT TARGET: forwards 127.0.0.1:PORT to 127.0.0.1:TARGET,
# but the first answer to an Extended Services request (a save) is not
# passed on: the connection is dropped after the server did the work
# (60 s at most)
drop_reply_proxy() {
  timeout 60 python3 -c '
import socket, sys, threading
# listen on argv[1], forward to argv[2]; the first reply to an ES request
# (APDU tag [46] = 0xbf 0x2e) is dropped with the connection
lp, tp = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", lp)); s.listen(16)
state = {"dropped": False}
def serve(c):
    u = socket.create_connection(("127.0.0.1", tp))
    pending = {"es": False}
    def up():
        try:
            while True:
                b = c.recv(65536)
                if not b: break
                if b[:2] == b"\xbf\x2e" and not state["dropped"]:
                    pending["es"] = True
                u.sendall(b)
        except OSError: pass
        try: u.shutdown(socket.SHUT_WR)
        except OSError: pass
    threading.Thread(target=up, daemon=True).start()
    try:
        while True:
            b = u.recv(65536)
            if not b: break
            if pending["es"] and not state["dropped"]:
                state["dropped"] = True
                break
            c.sendall(b)
    except OSError: pass
    for x in (c, u):
        try: x.shutdown(socket.SHUT_RDWR)
        except OSError: pass
        x.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
' "$1" "$2" &
  bg_pid $!
}
