#!/usr/bin/python3
"""A GLib client: the real peer for sigloop's server-side tests.

It connects with Gio.SocketClient (connect_to_host_async for --tcp
HOST:PORT, connect_async for --unix PATH), then for each --message writes it
with write_all_async and reads the echo back with read_all_async, half-closes
its write side, expects EOF, and closes with close_async. Everything runs on a
GLib main loop. It prints one line on stdout and exits:

    ok BYTES events=E,E,...    status 0: every echo matched (E are the
                               GSocketClientEvent values it saw)
    error MESSAGE              status 1

It gives up with status 3 after --max-seconds.
"""

import argparse
import sys

import gi

gi.require_version("Gio", "2.0")
gi.require_version("GLib", "2.0")
from gi.repository import Gio, GLib, GObject  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--tcp", metavar="HOST:PORT")
    where.add_argument("--unix", metavar="PATH")
    ap.add_argument("--message", action="append", default=[])
    ap.add_argument("--max-seconds", type=float, default=30)
    args = ap.parse_args()
    messages = [m.encode() for m in args.message] or [b"hello from GLib"]

    loop = GLib.MainLoop()
    result = {"line": "error timed out", "status": 3}
    events = []
    state = {"conn": None, "i": 0, "total": 0}

    def finish(line, status):
        result["line"], result["status"] = line, status
        loop.quit()

    def fail(e):
        finish("error " + e.message, 1)

    def finished(call, res):
        """(True, call(res)), or (False, None) once fail reported its GLib.Error."""
        try:
            return True, call(res)
        except GLib.Error as e:
            fail(e)
            return False, None

    client = Gio.SocketClient()
    # SocketClient.connect is the GIO call; GObject.Object.connect is the signal.
    GObject.Object.connect(client, "event", lambda _c, ev, _a, _s: events.append(int(ev)))

    def connected(_client, res):
        ok, state["conn"] = finished(
            client.connect_to_host_finish if args.tcp else client.connect_finish, res)
        if ok:
            send_next()

    def send_next():
        conn = state["conn"]
        if state["i"] == len(messages):
            conn.get_socket().shutdown(False, True)
            conn.get_input_stream().read_bytes_async(
                1, GLib.PRIORITY_DEFAULT, None, at_eof)
            return
        msg = messages[state["i"]]
        conn.get_output_stream().write_all_async(
            msg, GLib.PRIORITY_DEFAULT, None, written)

    def written(stream, res):
        if not finished(stream.write_all_finish, res)[0]:
            return
        n = len(messages[state["i"]])
        state["conn"].get_input_stream().read_bytes_async(
            n, GLib.PRIORITY_DEFAULT, None, lambda s, r: echoed(s, r, b""))

    def echoed(stream, res, got):
        ok, data = finished(stream.read_bytes_finish, res)
        if not ok:
            return
        got += data.get_data()
        want = messages[state["i"]]
        if len(got) < len(want) and got == want[:len(got)]:
            stream.read_bytes_async(len(want) - len(got), GLib.PRIORITY_DEFAULT, None,
                                    lambda s, r: echoed(s, r, got))
            return
        if got != want:
            finish("error echo mismatch: sent %r got %r" % (want, got), 1)
            return
        state["total"] += len(got)
        state["i"] += 1
        send_next()

    def at_eof(stream, res):
        ok, data = finished(stream.read_bytes_finish, res)
        if not ok:
            return
        extra = data.get_data()
        if extra:
            finish("error expected EOF, got %r" % extra, 1)
            return
        state["conn"].close_async(GLib.PRIORITY_DEFAULT, None, closed)

    def closed(conn, res):
        if not finished(conn.close_finish, res)[0]:
            return
        finish("ok %d events=%s" % (state["total"], ",".join(map(str, events))), 0)

    if args.tcp:
        client.connect_to_host_async(args.tcp, 0, None, connected)
    else:
        client.connect_async(Gio.UnixSocketAddress.new(args.unix), None, connected)
    GLib.timeout_add(int(args.max_seconds * 1000), lambda: finish("error timed out", 3))
    loop.run()
    print(result["line"], flush=True)
    return result["status"]


if __name__ == "__main__":
    sys.exit(main())
