#!/usr/bin/python3
"""A GLib load client: the real peer for sigloop's server-side tests.

It opens --conns connections at once with Gio.SocketClient (async) to
--tcp HOST:PORT or --unix PATH, and makes --count echo round trips in all,
spread over them. Each round trip writes a random payload of 1..--max-size
bytes with write_all_async while read_all_async reads it back, and checks
every byte. At the end it prints one line

    N passed, M failed

and exits 0 only if nothing failed. Errors go to stderr. It exits with
status 3 after --max-seconds, and when its stdin is closed (so it never
outlives the test that started it).
"""

import argparse
import random
import sys

import gi

gi.require_version("Gio", "2.0")
gi.require_version("GLib", "2.0")
from gi.repository import Gio, GLib  # noqa: E402


class Run:
    def __init__(self, args):
        self.args = args
        self.loop = GLib.MainLoop()
        self.rng = random.Random(args.seed)
        self.passed = 0
        self.failed = 0
        self.live = 0
        self.client = Gio.SocketClient.new()

    def start(self):
        n = self.args.conns
        for i in range(n):
            share = self.args.count // n + (1 if i < self.args.count % n else 0)
            Conn(self, share).connect()
            self.live += 1
        if self.live:
            self.loop.run()

    def conn_done(self):
        self.live -= 1
        if self.live == 0:
            self.loop.quit()


class Conn:
    def __init__(self, run, share):
        self.run = run
        self.left = share
        self.conn = None

    def connect(self):
        a = self.run.args
        if a.unix:
            addr = Gio.UnixSocketAddress.new(a.unix)
            self.run.client.connect_async(addr, None, self.on_connected)
        else:
            self.run.client.connect_to_host_async(a.tcp, 0, None, self.on_connected)

    def on_connected(self, client, res):
        try:
            if self.run.args.unix:
                self.conn = client.connect_finish(res)
            else:
                self.conn = client.connect_to_host_finish(res)
        except GLib.Error as e:
            self.fail("connect: " + e.message)
            return
        self.next()

    def fail(self, msg):
        print(msg, file=sys.stderr, flush=True)
        self.run.failed += self.left
        self.left = 0
        self.finish()

    def finish(self):
        if self.conn is not None:
            self.conn.close(None)
        self.run.conn_done()

    def next(self):
        if self.left == 0:
            self.finish()
            return
        size = self.run.rng.randint(1, self.run.args.max_size)
        self.sent = self.run.rng.randbytes(size)
        self.got = None
        self.wrote = False
        self.bad = False
        out = self.conn.get_output_stream()
        ins = self.conn.get_input_stream()
        out.write_all_async(self.sent, GLib.PRIORITY_DEFAULT, None, self.on_written)
        # read_all_async in PyGObject fills a buffer it allocates; read_bytes
        # until the payload is complete instead, checking as it arrives.
        self.received = bytearray()
        ins.read_bytes_async(size, GLib.PRIORITY_DEFAULT, None, self.on_read)

    def on_written(self, stream, res):
        try:
            stream.write_all_finish(res)
        except GLib.Error as e:
            self.bad = True
            print("write: " + e.message, file=sys.stderr, flush=True)
        self.wrote = True
        self.maybe_done()

    def on_read(self, stream, res):
        try:
            data = stream.read_bytes_finish(res).get_data()
        except GLib.Error as e:
            self.bad = True
            print("read: " + e.message, file=sys.stderr, flush=True)
            self.got = bytes(self.received)
            self.maybe_done()
            return
        if not data:
            self.bad = True
            print("read: early EOF after %d of %d bytes" % (len(self.received), len(self.sent)),
                  file=sys.stderr, flush=True)
            self.got = bytes(self.received)
            self.maybe_done()
            return
        self.received += data
        want = len(self.sent) - len(self.received)
        if want > 0:
            stream.read_bytes_async(want, GLib.PRIORITY_DEFAULT, None, self.on_read)
            return
        self.got = bytes(self.received)
        self.maybe_done()

    def maybe_done(self):
        if not self.wrote or self.got is None:
            return
        self.left -= 1
        if self.bad or self.got != self.sent:
            if not self.bad:
                print("echoed bytes differ", file=sys.stderr, flush=True)
            self.run.failed += 1
            self.fail("connection abandoned after a failed round trip")
            return
        self.run.passed += 1
        self.next()


def main():
    p = argparse.ArgumentParser()
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--tcp", help="HOST:PORT")
    g.add_argument("--unix", help="socket path")
    p.add_argument("--conns", type=int, default=16)
    p.add_argument("--count", type=int, default=64)
    p.add_argument("--max-size", type=int, default=65536)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--max-seconds", type=int, default=60)
    args = p.parse_args()

    run = Run(args)
    status = [None]

    def give_up(why):
        print(why, file=sys.stderr, flush=True)
        status[0] = 3
        run.loop.quit()
        return GLib.SOURCE_REMOVE

    GLib.timeout_add(int(args.max_seconds * 1000), give_up, "watchdog: giving up")

    def stdin_event():
        if not sys.stdin.buffer.read1(4096):
            return give_up("stdin closed")
        return GLib.SOURCE_CONTINUE

    GLib.io_add_watch(0, GLib.PRIORITY_DEFAULT,
                      GLib.IOCondition.IN | GLib.IOCondition.HUP | GLib.IOCondition.ERR,
                      lambda *a: stdin_event())
    run.start()
    print("%d passed, %d failed" % (run.passed, run.failed), flush=True)
    if status[0] is not None:
        return status[0]
    return 0 if run.failed == 0 and run.passed == args.count else 1


if __name__ == "__main__":
    sys.exit(main())
