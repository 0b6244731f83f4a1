#!/usr/bin/python3
"""A GLib Unix-socket peer for sigloop's fd-passing and credentials tests.

It connects to --unix PATH with Gio.SocketClient and, on the resulting
Gio.UnixConnection:

  1. sends its credentials (g_unix_connection_send_credentials);
  2. sends the read end of a pipe whose write end it has written
     "from GLib" into, then closed (g_unix_connection_send_fd);
  3. receives the server's credentials and prints "peer pid=P uid=U";
  4. receives a descriptor and writes "to Go" into it.

It prints "ok" and exits 0 when all of that worked, or "error MESSAGE" and
exits 1.
"""

import argparse
import os
import sys

import gi

gi.require_version("Gio", "2.0")
gi.require_version("GLib", "2.0")
from gi.repository import Gio, GLib  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--unix", metavar="PATH", required=True)
    args = ap.parse_args()
    try:
        conn = Gio.SocketClient().connect(Gio.UnixSocketAddress.new(args.unix), None)
        conn.send_credentials(None)
        r, w = os.pipe()
        os.write(w, b"from GLib")
        os.close(w)
        conn.send_fd(r, None)
        os.close(r)
        creds = conn.receive_credentials(None)
        print("peer pid=%d uid=%d" % (creds.get_unix_pid(), creds.get_unix_user()), flush=True)
        fd = conn.receive_fd(None)
        os.write(fd, b"to Go")
        os.close(fd)
        conn.close(None)
    except GLib.Error as e:
        print("error", e.message, flush=True)
        return 1
    print("ok", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
