#!/usr/bin/python3
"""A Qt QLocalSocket client: the real peer for qtnet's server side.

    qt_local_client.py --qt 5|6 --connect NAME [--abstract] [--conns C]
                       [--count N] [--maxsize BYTES] [--seed S]

Phase 1: C connections, each N round trips of a random payload of 1 to
BYTES bytes, every byte of the echo checked; prints
"echo P passed, F failed".
Phase 2: one more connection sends b"close-me"; the server is expected to
answer b"bye" and close. Prints "close SIGNALS|DATA|ERRORSTRING" with the
signals the QLocalSocket emitted, in order.
Phase 2b: the same with b"abort-me", which the server aborts: prints
"abort SIGNALS|ERRORSTRING".
Phase 2c: b"names-me" asks for the accepted socket's names: prints
"names SERVERNAME|FULLSERVERNAME" with NAME standing for the server name.
Phase 3: a connection to NAME + "-missing" prints
"missing SIGNALS|ERRORSTRING".
"""

import argparse
import random
import sys

from qt_common import enum_name, exec_app, load, say

ap = argparse.ArgumentParser()
ap.add_argument("--qt", required=True)
ap.add_argument("--connect", required=True)
ap.add_argument("--abstract", action="store_true")
ap.add_argument("--conns", type=int, default=4)
ap.add_argument("--count", type=int, default=20)
ap.add_argument("--maxsize", type=int, default=65536)
ap.add_argument("--seed", type=int, default=1)
args = ap.parse_args()
QtCore, QtNetwork = load(args.qt)
QLocalSocket = QtNetwork.QLocalSocket
app = QtCore.QCoreApplication(sys.argv)
rng = random.Random(args.seed)


def new_socket():
    s = QLocalSocket()
    if args.abstract:
        Opt = getattr(QLocalSocket, "SocketOption", QLocalSocket)
        s.setSocketOptions(Opt.AbstractNamespaceOption)
    return s


def recorder(s):
    ev = []
    s.connected.connect(lambda: ev.append("connected"))
    s.disconnected.connect(lambda: ev.append("disconnected"))
    s.readyRead.connect(lambda: ev.append("readyRead"))
    s.errorOccurred.connect(lambda e: ev.append("error(%s)" % enum_name(e)))
    s.stateChanged.connect(lambda st: ev.append("state(%s)" % enum_name(st)))
    s.readChannelFinished.connect(lambda: ev.append("readChannelFinished"))
    s.aboutToClose.connect(lambda: ev.append("aboutToClose"))
    return ev


result = {"pass": 0, "fail": 0, "live": 0}
socks = []


def start(i):
    s = new_socket()
    st = {"left": args.count, "want": b"", "got": bytearray()}
    socks.append(s)

    def nxt():
        if st["left"] == 0:
            s.disconnectFromServer()
            result["live"] -= 1
            if result["live"] == 0:
                app.quit()
            return
        st["left"] -= 1
        n = rng.randint(1, args.maxsize)
        st["want"] = bytes(rng.getrandbits(8) for _ in range(n)) if n < 64 else rng.randbytes(n)
        st["got"] = bytearray()
        s.write(st["want"])

    def on_ready():
        st["got"] += bytes(s.readAll())
        if len(st["got"]) < len(st["want"]):
            return
        if bytes(st["got"]) == st["want"]:
            result["pass"] += 1
        else:
            result["fail"] += 1
        nxt()

    def on_error(e):
        if st["left"] or st["want"]:
            say("conn", i, "error", enum_name(e), s.errorString())

    s.readyRead.connect(on_ready)
    s.connectToServer(args.connect)
    if not s.waitForConnected(3000):
        result["fail"] += args.count
        say("conn", i, "connect failed:", s.errorString())
        return
    result["live"] += 1
    nxt()


for i in range(args.conns):
    start(i)
if result["live"]:
    QtCore.QTimer.singleShot(60000, app.quit)
    exec_app(app)
say("echo %d passed, %d failed" % (result["pass"], result["fail"]))


def server_ends(request):
    """Sends request on a new connection and runs the loop until the
    server has ended it; returns the signals, the data and errorString."""
    s = new_socket()
    ev = recorder(s)
    data = bytearray()
    s.readyRead.connect(lambda: data.extend(bytes(s.readAll())))
    s.disconnected.connect(app.quit)
    s.connectToServer(args.connect)
    s.write(request)
    QtCore.QTimer.singleShot(10000, app.quit)
    exec_app(app)
    data.extend(bytes(s.readAll()))
    return ",".join(ev), bytes(data).decode(), s.errorString()


# Phase 2: the server closes; 2b: it aborts.
say("close %s|%s|%s" % server_ends(b"close-me"))
ev, _, err = server_ends(b"abort-me")
say("abort %s|%s" % (ev, err))

# Phase 2c: the names the server's accepted socket has.
_, names, _ = server_ends(b"names-me")
say("names %s" % names.strip().replace(args.connect, "NAME"))

# Phase 3: no server.
m = new_socket()
ev = recorder(m)
m.connectToServer(args.connect + "-missing")
say("missing %s|%s" % (",".join(ev), m.errorString()))
