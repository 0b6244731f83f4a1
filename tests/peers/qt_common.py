"""Shared helpers of the Qt peers: import Qt 5 (PySide2) or Qt 6 (PyQt6).

Only QtCore and QtNetwork are used, so no display is needed.
"""

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def load(version):
    """Returns (QtCore, QtNetwork) of Qt 5 (PySide2) or Qt 6 (PyQt6)."""
    if version == "5":
        from PySide2 import QtCore, QtNetwork
    elif version == "6":
        from PyQt6 import QtCore, QtNetwork
    else:
        raise SystemExit("--qt must be 5 or 6")
    return QtCore, QtNetwork


def exec_app(app):
    return app.exec() if hasattr(app, "exec") else app.exec_()


def enum_name(v):
    """The Qt enumerator name of v, the same in PySide2 and PyQt6."""
    n = getattr(v, "name", None)
    if isinstance(n, bytes):
        n = n.decode()
    if n is None:
        n = str(v).rsplit(".", 1)[-1]
    return n


def say(*words):
    print(*words, flush=True)


def quit_on_stdin_eof(QtCore, app):
    """Quits app when stdin is closed, so a peer never outlives its test."""
    n = QtCore.QSocketNotifier(sys.stdin.fileno(), QtCore.QSocketNotifier.Type.Read
                               if hasattr(QtCore.QSocketNotifier, "Type") else QtCore.QSocketNotifier.Read)

    def on_ready(*_):
        if not os.read(sys.stdin.fileno(), 4096):
            n.setEnabled(False)
            app.quit()

    n.activated.connect(on_ready)
    return n
