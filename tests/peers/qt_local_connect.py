#!/usr/bin/python3
"""Tries a Qt QLocalSocket connect to each NAME given and reports it.

    qt_local_connect.py --qt 5|6 NAME...

One line per name: "NAME connected" or "NAME error CODE ERRORSTRING".
Run under setpriv as another user, it tells who may connect to a socket.

    qt_local_connect.py --probe DIR --seconds S

instead keeps trying, with a raw AF_UNIX socket, to connect to every socket
file in DIR and in its subdirectories for S seconds, and prints
"probe CONNECTED ATTEMPTS".
"""

import argparse
import glob
import os
import socket
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--qt")
ap.add_argument("--probe")
ap.add_argument("--seconds", type=float, default=1.0)
ap.add_argument("names", nargs="*")
args = ap.parse_args()

if args.probe:
    connected = attempts = 0
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        for p in glob.glob(os.path.join(args.probe, "*")) + glob.glob(os.path.join(args.probe, ".*", "*")):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                attempts += 1
                s.connect(p)
                connected += 1
            except OSError:
                pass
            finally:
                s.close()
    print("probe", connected, attempts, flush=True)
    sys.exit(0)

from qt_common import enum_name, load  # noqa: E402

QtCore, QtNetwork = load(args.qt)
app = QtCore.QCoreApplication(sys.argv)
for n in args.names:
    s = QtNetwork.QLocalSocket()
    s.connectToServer(n)
    if s.waitForConnected(1000):
        print(n, "connected", flush=True)
    else:
        print(n, "error", enum_name(s.error()), s.errorString(), flush=True)
    s.abort()
