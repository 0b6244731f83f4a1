#!/usr/bin/python3
# The GLib side of TestGioParseDiff: for each input string (a JSON list on
# stdin) it prints one JSON object with what GLib makes of it:
#   na:   g_network_address_parse (s, 80): hostname, port, to_string, or
#         the GError's code and message;
#   ia:   g_inet_address_new_from_string (s): to_string, or null;
#   isa:  g_inet_socket_address_new_from_string (s, 80): to_string, or null;
#   enum: for the inputs that parse to a localhost name, the addresses a
#         GNetworkAddress of that host and port enumerates to (other names
#         would depend on this machine's resolver).
import json
import sys

import gi

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402


def network_address(s):
    try:
        a = Gio.NetworkAddress.parse(s, 80)
    except GLib.Error as e:
        return {"err": e.code, "msg": e.message}
    return {"host": a.get_hostname(), "port": a.get_port(), "str": a.to_string()}


def inet_address(s):
    try:
        a = Gio.InetAddress.new_from_string(s)
    except TypeError:  # PyGObject's "constructor returned NULL"
        return None
    return None if a is None else a.to_string()


def inet_socket_address(s):
    try:
        a = Gio.InetSocketAddress.new_from_string(s, 80)
    except TypeError:
        return None
    return None if a is None else a.to_string()


def enumerate_localhost(host, port):
    e = Gio.NetworkAddress.new(host, port).enumerate()
    out = []
    while True:
        a = e.next(None)
        if a is None:
            return out
        out.append(a.to_string())


def main():
    print("glib %d.%d.%d" % (GLib.MAJOR_VERSION, GLib.MINOR_VERSION, GLib.MICRO_VERSION), file=sys.stderr)
    for s in json.load(sys.stdin):
        r = {"in": s, "na": network_address(s), "ia": inet_address(s), "isa": inet_socket_address(s)}
        host = r["na"].get("host", "")
        low = host.lower().rstrip(".")
        if low == "localhost" or low.endswith(".localhost"):
            r["enum"] = enumerate_localhost(host, r["na"]["port"])
        print(json.dumps(r))


main()
