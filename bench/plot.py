#!/usr/bin/python3
"""plot.py — throughput and p99 latency against connection count, from the
raw results of `bench/run.sh scale` (one or more TSV files).

  /usr/bin/python3 bench/plot.py OUT.png RESULTS.tsv...

Echo rows of the same target and connection count (repetitions, or several
files) are reduced to their median; a row with no round trip measured (every
round trip took longer than the window) is left out and named under the
plot. Colour says whose server it is (sigloop,
GLib, Qt, raw Go), the line style the transport (TCP solid, unix dashed).
Needs Debian's python3-matplotlib (bench/build.sh installs it).
"""
import csv
import statistics
import sys
from collections import defaultdict

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit("plot.py: needs matplotlib: apt-get install python3-matplotlib (bench/build.sh does)")

FAMILIES = [  # (target prefix, label, colour)
    ("gio-", "sigloop", "tab:red"),
    ("qtnet-", "sigloop", "tab:red"),
    ("glib-", "GLib", "tab:blue"),
    ("qt-", "Qt 5", "tab:green"),
    ("go-", "raw Go", "tab:gray"),
]
MARKERS = {"gio-socket-tcp": "s", "gio-threaded-tcp": "^", "glib-threaded-tcp": "^", "qtnet-unix": "D"}


def family(target):
    for prefix, label, colour in FAMILIES:
        if target.startswith(prefix):
            return label, colour
    return target, "black"


def read(paths):
    comments, rows = [], []
    for path in paths:
        with open(path, newline="") as f:
            lines = []
            for line in f:
                if line.startswith("#"):
                    comments.append(line[1:].strip())
                elif line.strip():
                    lines.append(line)
        header = None
        for rec in csv.reader(lines, delimiter="\t"):
            if rec and rec[0] == "time":
                header = rec
            elif header and len(rec) == len(header):
                row = dict(zip(header, rec))
                if row["status"] == "ok" and row["mode"] == "echo":
                    rows.append(row)
    return comments, rows


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    out, paths = argv[1], argv[2:]
    comments, rows = read(paths)
    if not rows:
        sys.exit("plot.py: no echo rows with status ok in " + " ".join(paths))
    series = defaultdict(lambda: defaultdict(list))  # target -> conns -> rows
    empty = set()  # (target, conns) where no round trip fit in the window
    for r in rows:
        if int(r["ops"]) == 0:
            empty.add((r["target"], int(r["conns"])))
            continue
        series[r["target"]][int(r["conns"])].append(r)

    fig, (ax_rate, ax_p99) = plt.subplots(1, 2, figsize=(12, 5))
    order = sorted(series, key=lambda t: ([p for p, _, _ in FAMILIES].index(next((p for p, _, _ in FAMILIES if t.startswith(p)), "go-")), t))
    for target in order:
        label, colour = family(target)
        points = sorted(series[target])
        rate = [statistics.median(float(r["rate"]) for r in series[target][n]) for n in points]
        p99 = [statistics.median(float(r["p99_us"]) for r in series[target][n]) for n in points]
        style = dict(color=colour, linestyle="--" if target.endswith("-unix") else "-",
                     marker=MARKERS.get(target, "o"), label=f"{label}: {target}")
        ax_rate.plot(points, rate, **style)
        ax_p99.plot(points, p99, **style)
    for ax in (ax_rate, ax_p99):
        ax.set_xscale("log")
        ax.set_xlabel("connections (each with one 64-byte request outstanding)")
        ax.grid(True, which="both", alpha=0.3)
    ax_rate.set_ylabel("round trips / s (all connections)")
    ax_rate.set_ylim(bottom=0)
    ax_rate.set_title("Echo throughput")
    ax_p99.set_yscale("log")
    ax_p99.set_ylabel("p99 round-trip latency (µs)")
    ax_p99.set_title("Echo p99 latency")
    ax_rate.legend(fontsize=8)
    # The machine and pinning of the sitting, from the first run.sh header.
    machine = next((c for c in comments if c.startswith("cpus=")), "")
    when = next((c.split("  ")[1] for c in comments if c.startswith("sigloop bench/run.sh") and "  " in c), "")
    empty = {(t, n) for t, n in empty if n not in series[t]}
    if empty:
        fig.text(0.01, 0.01, "no round trip both started and ended inside the measured window (latency above it): "
                 + ", ".join(f"{t} at {n}" for t, n in sorted(empty)), fontsize=8)
    fig.suptitle(f"sigloop bench/run.sh scale  {when}\n{machine.split(' ulimit_n')[0]}", fontsize=9)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(f"plot.py: wrote {out} ({len(series)} targets, {len(rows)} rows)")


if __name__ == "__main__":
    main(sys.argv)
