#!/usr/bin/python3
"""A Qt QLocalServer echo server: the real peer for qtnet's client side.

    qt_local_server.py --qt 5|6 --name NAME [--abstract] [--options N] [--as-user UID]

It listens with QLocalServer (socket options N, an int of
QLocalServer::SocketOption bits; --abstract adds AbstractNamespaceOption,
Qt 6 only) and prints "listening on FULLSERVERNAME", or "error CODE STRING"
and exits 1. Each connection echoes every byte until the peer disconnects;
a connection whose first 8 bytes are b"close-me" gets b"bye" and is closed
by the server instead, one starting b"abort-me" is aborted, which is
how tests see Qt's disconnect signals; one starting b"names-me" gets the
accepted socket's "serverName|fullServerName" line (Qt 5 leaves them
empty, Qt 6 reports the server's address).
It exits when its stdin is closed. --as-user drops root to that uid (and
the same gid, no supplementary groups) before Qt is loaded.
"""

import argparse
import os
import sys

from qt_common import enum_name, exec_app, load, quit_on_stdin_eof, say

ap = argparse.ArgumentParser()
ap.add_argument("--qt", required=True)
ap.add_argument("--name", required=True)
ap.add_argument("--abstract", action="store_true")
ap.add_argument("--options", type=int, default=0)
ap.add_argument("--as-user", type=int)
args = ap.parse_args()
if args.as_user is not None:
    os.setgroups([])
    os.setgid(args.as_user)
    os.setuid(args.as_user)
QtCore, QtNetwork = load(args.qt)
QLocalServer = QtNetwork.QLocalServer

app = QtCore.QCoreApplication(sys.argv)
srv = QLocalServer()
opts = args.options | (8 if args.abstract else 0)
if opts:
    Opt = getattr(QLocalServer, "SocketOption", QLocalServer)
    flags = None
    for bit, n in ((1, "UserAccessOption"), (2, "GroupAccessOption"), (4, "OtherAccessOption"),
                   (8, "AbstractNamespaceOption")):
        if opts & bit:
            v = getattr(Opt, n)
            flags = v if flags is None else flags | v
    srv.setSocketOptions(flags)
if not srv.listen(args.name):
    say("error", enum_name(srv.serverError()), srv.errorString())
    sys.exit(1)

conns = []


def on_new():
    while True:
        s = srv.nextPendingConnection()
        if s is None:
            return
        st = {"first": b"", "closing": False}
        conns.append(s)

        def on_ready(s=s, st=st):
            data = bytes(s.readAll())
            if st["closing"]:
                return
            if len(st["first"]) < 8:
                st["first"] += data[:8 - len(st["first"])]
                if st["first"] == b"close-me":
                    st["closing"] = True
                    s.write(b"bye")
                    s.flush()
                    s.close()
                    return
                if st["first"] == b"names-me":
                    st["closing"] = True
                    s.write(("%s|%s\n" % (s.serverName(), s.fullServerName())).encode())
                    s.flush()
                    s.close()
                    return
                if st["first"] == b"abort-me":
                    st["closing"] = True
                    s.abort()
                    return
            s.write(data)

        s.readyRead.connect(on_ready)


srv.newConnection.connect(on_new)
keep = quit_on_stdin_eof(QtCore, app)
say("listening on", srv.fullServerName())
rc = exec_app(app)
srv.close()
sys.exit(rc)
