#!/usr/bin/python3
"""A GLib echo server: the real peer for sigloop's client-side tests.

It listens with Gio.SocketService on --tcp HOST:PORT (PORT 0 picks a free
port) or --unix PATH, echoes every byte it reads back with GIO's async stream
calls, and prints one line per event on stdout:

    listening on ADDRESS       once, when ready (ADDRESS is HOST:PORT or PATH)
    done N                     a connection reached EOF after echoing N bytes
    error MESSAGE              a connection failed

It exits cleanly (status 0) on SIGTERM or SIGINT, when its stdin is closed (so
it never outlives the test that started it), and with status 3 after
--max-seconds.
"""

import argparse
import signal
import sys

import gi

gi.require_version("Gio", "2.0")
gi.require_version("GLib", "2.0")
from gi.repository import Gio, GLib  # noqa: E402


def say(*words):
    print(*words, flush=True)


class Echo:
    """One connection: read, write back, until EOF; then close."""

    live = set()

    def __init__(self, conn):
        self.conn = conn
        self.total = 0
        self.ins = conn.get_input_stream()
        self.outs = conn.get_output_stream()
        Echo.live.add(self)
        self.read()

    def read(self):
        self.ins.read_bytes_async(4096, GLib.PRIORITY_DEFAULT, None, self.on_read)

    def on_read(self, stream, res):
        ok, b = self.finished(stream.read_bytes_finish, res)
        if not ok:
            return
        data = b.get_data()
        if not data:
            self.conn.close_async(GLib.PRIORITY_DEFAULT, None, self.on_closed)
            return
        self.total += len(data)
        self.outs.write_all_async(data, GLib.PRIORITY_DEFAULT, None, self.on_written)

    def on_written(self, stream, res):
        if self.finished(stream.write_all_finish, res)[0]:
            self.read()

    def on_closed(self, conn, res):
        if not self.finished(conn.close_finish, res)[0]:
            return
        say("done", self.total)
        Echo.live.discard(self)

    def finished(self, call, res):
        """(True, call(res)), or (False, None) once fail reported its GLib.Error."""
        try:
            return True, call(res)
        except GLib.Error as e:
            self.fail(e)
            return False, None

    def fail(self, e):
        say("error", e.message)
        self.conn.close(None)
        Echo.live.discard(self)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--tcp", metavar="HOST:PORT")
    where.add_argument("--unix", metavar="PATH")
    ap.add_argument("--max-seconds", type=float, default=60)
    args = ap.parse_args()

    loop = GLib.MainLoop()
    status = [0]
    service = Gio.SocketService()
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        addr = Gio.InetSocketAddress.new_from_string(host.strip("[]"), int(port))
        if addr is None:
            ap.error("--tcp needs a numeric HOST")
    else:
        addr = Gio.UnixSocketAddress.new(args.unix)
    _, effective = service.add_address(
        addr, Gio.SocketType.STREAM, Gio.SocketProtocol.DEFAULT, None)

    def incoming(_service, conn, _source):
        Echo(conn)
        return True

    service.connect("incoming", incoming)
    service.start()

    def quit_with(code):
        status[0] = code
        loop.quit()
        return GLib.SOURCE_REMOVE

    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, quit_with, 0)
    GLib.io_add_watch(0, GLib.PRIORITY_DEFAULT,
                      GLib.IOCondition.IN | GLib.IOCondition.HUP | GLib.IOCondition.ERR,
                      lambda *a: stdin_event())

    def stdin_event():
        if not sys.stdin.buffer.read1(4096):
            return quit_with(0)
        return GLib.SOURCE_CONTINUE

    GLib.timeout_add(int(args.max_seconds * 1000), quit_with, 3)

    if args.tcp:
        say("listening on", effective.to_string())
    else:
        say("listening on", args.unix)
    loop.run()
    service.stop()
    service.close()
    return status[0]


if __name__ == "__main__":
    sys.exit(main())
