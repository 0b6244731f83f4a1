#!/usr/bin/python3
"""summarize.py — medians and ratios from bench results, as Markdown tables.

  /usr/bin/python3 bench/summarize.py ratios RESULTS.tsv...
      median rate per target and scenario over every row of the raw
      results files run.sh wrote, then sigloop's ratio to each anchor
      (and raw Go's to GLib) for each scenario.
  /usr/bin/python3 bench/summarize.py equivalence EQUIVALENCE.txt
      the output of equivalence.sh: per target and scenario the median
      rate of A (reference harness), B (bench/) and C (bench loadgen,
      reference server) with B/A and C/A (ratio of medians, and median of
      the per-round ratios), and the median p99.
  /usr/bin/python3 bench/summarize.py table PIN1.tsv PINSAME.tsv
      one row per scenario and pinning: sigloop's ratio to GLib (TCP,
      unix), to Qt (unix) and to raw Go (TCP, unix), and raw Go's to GLib.
  /usr/bin/python3 bench/summarize.py scale RESULTS.tsv...
      echo rows by connection count (run.sh scale): median rate and p99
      per target; a point where no round trip fit the window shows 0.
  /usr/bin/python3 bench/summarize.py mem RESULTS.tsv...
      server memory per held idle connection (mem mode rows).
  /usr/bin/python3 bench/summarize.py cpu RESULTS.tsv...
      the server's CPU time per operation (user + system, µs; loadgen's
      server_ keys), median per target and scenario, then for each pair
      the second target's CPU per operation over the first's: how many
      times less CPU the first server spends on an operation.

Only the standard library; rows whose status is not ok are left out.
"""
import csv
import re
import statistics
import sys
from collections import defaultdict

SCENARIOS = ["echo-1c-64B", "echo-50c-64B", "echo-50c-16KiB", "accept-4c"]

# (sigloop or floor target, anchor target) pairs the table asks for.
PAIRS = [
    ("gio-tcp", "glib-tcp"),
    ("gio-unix", "glib-unix"),
    ("gio-unix", "qt-unix"),
    ("gio-socket-tcp", "glib-tcp"),
    ("gio-threaded-tcp", "glib-threaded-tcp"),
    ("qtnet-unix", "qt-unix"),
    ("gio-tcp", "go-tcp"),
    ("gio-unix", "go-unix"),
    ("go-tcp", "glib-tcp"),
    # The listener and qtnet issues' own bars: a service adds no cost on top
    # of the bare Socket, the threaded service none on top of raw Go, and
    # LocalServer none on top of gio's Unix echo.
    ("gio-tcp", "gio-socket-tcp"),
    ("gio-threaded-tcp", "go-tcp"),
    ("qtnet-unix", "gio-unix"),
    ("qtnet-unix", "go-unix"),
]


def read_tsv(paths):
    """Rows (dicts) of run.sh raw results files, '#' comment lines skipped."""
    rows = []
    for path in paths:
        with open(path, newline="") as f:
            lines = [l for l in f if l.strip() and not l.startswith("#")]
        header = None
        for rec in csv.reader(lines, delimiter="\t"):
            if rec and rec[0] == "time":
                header = rec
                continue
            if header is None or len(rec) != len(header):
                continue
            row = dict(zip(header, rec))
            if row.get("status") == "ok":
                rows.append(row)
    return rows


def median(xs):
    return statistics.median(xs) if xs else None


def fmt(x, digits=0):
    if x is None:
        return "–"
    return f"{x:,.{digits}f}"


def spread(xs):
    """'median (min–max, n)' of a list of rates."""
    if not xs:
        return "–"
    if len(xs) == 1:
        return fmt(xs[0])
    return f"{fmt(median(xs))} ({fmt(min(xs))}–{fmt(max(xs))}, n={len(xs)})"


def ratios(paths):
    rows = read_tsv(paths)
    rates = defaultdict(list)
    for r in rows:
        rates[(r["target"], r["scenario"])].append(float(r["rate"]))
    targets = sorted({t for t, s in rates if s in SCENARIOS})
    print("Median rate (round trips/s for echo, connections/s for accept; min–max over the repetitions):\n")
    print("| target | " + " | ".join(SCENARIOS) + " |")
    print("|---|" + "---|" * len(SCENARIOS))
    for t in targets:
        print(f"| {t} | " + " | ".join(spread(rates.get((t, s), [])) for s in SCENARIOS) + " |")
    print("\nRatio of the medians (first target / second):\n")
    pair_table(rates, "ratio", "/", lambda ma, mb: ma / mb)


def pair_table(values, head, sep, ratio):
    """One row per PAIRS entry with data: ratio(median of a, median of b) per scenario."""
    print(f"| {head} | " + " | ".join(SCENARIOS) + " |")
    print("|---|" + "---|" * len(SCENARIOS))
    for a, b in PAIRS:
        cells = []
        for s in SCENARIOS:
            ma, mb = median(values.get((a, s), [])), median(values.get((b, s), []))
            cells.append(f"{ratio(ma, mb):.2f}" if ma and mb else "–")
        if any(c != "–" for c in cells):
            print(f"| {a} {sep} {b} | " + " | ".join(cells) + " |")


LINE = re.compile(r"^([ABC]) (\S+)\s+(\S+)\s+(label=.*)$")
ROUND = re.compile(r"^## round (\d+) ")


def equivalence(path):
    rate = defaultdict(list)
    p99 = defaultdict(list)
    by_round = defaultdict(dict)  # (round, target, scenario) -> who -> rate
    order = []
    rnd = 0
    with open(path) as f:
        for line in f:
            m = ROUND.match(line)
            if m:
                rnd = int(m.group(1))
                continue
            m = LINE.match(line.rstrip("\n"))
            if not m:
                continue
            who, target, scenario, kv = m.groups()
            fields = dict(x.split("=", 1) for x in kv.split(" first_error=")[0].split() if "=" in x)
            if fields.get("errors") != "0":
                continue
            if (target, scenario) not in order:
                order.append((target, scenario))
            rate[(who, target, scenario)].append(float(fields["rate"]))
            p99[(who, target, scenario)].append(float(fields["p99_us"]))
            by_round[(rnd, target, scenario)][who] = float(fields["rate"])

    def paired(target, scenario, who):
        rs = [d[who] / d["A"] for (r, t, s), d in by_round.items()
              if (t, s) == (target, scenario) and "A" in d and who in d]
        return f"{median(rs):.2f}" if rs else "–"

    print("| target | scenario | A: reference | B: bench/ | C: bench loadgen, ref. server"
          " | B/A (paired) | C/A (paired) | p99 µs A / B / C |")
    print("|---|---|---|---|---|---|---|---|")
    for target, scenario in order:
        med = {w: median(rate[(w, target, scenario)]) for w in "ABC"}
        q = {w: median(p99[(w, target, scenario)]) for w in "ABC"}
        ba = f"{med['B'] / med['A']:.2f}" if med["A"] and med["B"] else "–"
        ca = f"{med['C'] / med['A']:.2f}" if med["A"] and med["C"] else "–"
        print(f"| {target} | {scenario} | " + " | ".join(spread(rate[(w, target, scenario)]) for w in "ABC")
              + f" | {ba} ({paired(target, scenario, 'B')}) | {ca} ({paired(target, scenario, 'C')})"
              + f" | {fmt(q['A'])} / {fmt(q['B'])} / {fmt(q['C'])} |")
    print("\nB/A and C/A: ratio of the medians, in brackets the median of the per-round ratios"
          " (A, B and C of one round ran back to back).")


# Columns of the summary table: (heading, numerator target, denominator).
TABLE = [
    ("sigloop / GLib, TCP", "gio-tcp", "glib-tcp"),
    ("sigloop / GLib, unix", "gio-unix", "glib-unix"),
    ("sigloop / Qt, unix", "gio-unix", "qt-unix"),
    ("sigloop qtnet / Qt, unix", "qtnet-unix", "qt-unix"),
    ("sigloop threaded / GLib threaded, TCP", "gio-threaded-tcp", "glib-threaded-tcp"),
    ("sigloop / raw Go, TCP", "gio-tcp", "go-tcp"),
    ("sigloop / raw Go, unix", "gio-unix", "go-unix"),
    ("raw Go / GLib, TCP", "go-tcp", "glib-tcp"),
]


def table(pin1, pinsame):
    meds = {}
    for pin, path in (("1", pin1), ("same", pinsame)):
        rates = defaultdict(list)
        for r in read_tsv([path]):
            rates[(r["target"], r["scenario"])].append(float(r["rate"]))
        meds[pin] = {k: median(v) for k, v in rates.items()}
    cols = [c for c in TABLE if any(meds[p].get((c[1], s)) and meds[p].get((c[2], s))
                                    for p in meds for s in SCENARIOS)]
    print("| scenario | PIN | " + " | ".join(c[0] for c in cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    for s in SCENARIOS:
        for pin in ("1", "same"):
            cells = []
            for _, a, b in cols:
                ma, mb = meds[pin].get((a, s)), meds[pin].get((b, s))
                cells.append(f"{ma / mb:.2f}" if ma and mb else "–")
            print(f"| {s} | {pin} | " + " | ".join(cells) + " |")


def scale(paths):
    rows = [r for r in read_tsv(paths) if r["mode"] == "echo"]
    rate, p99 = defaultdict(list), defaultdict(list)
    for r in rows:
        key = (r["target"], int(r["conns"]))
        rate[key].append(float(r["rate"]))
        if int(r["ops"]) > 0:
            p99[key].append(float(r["p99_us"]))
    targets = sorted({t for t, _ in rate})
    counts = sorted({n for _, n in rate})
    print("Median round trips/s, and in brackets the median p99 in ms:\n")
    print("| target | " + " | ".join(f"{n:,} conns" for n in counts) + " |")
    print("|---|" + "---|" * len(counts))
    for t in targets:
        cells = []
        for n in counts:
            if (t, n) not in rate:
                cells.append("–")
                continue
            q = median(p99[(t, n)])
            cells.append(f"{fmt(median(rate[(t, n)]))} ({fmt(q / 1e3, 1) if q else 'none in window'})")
        print(f"| {t} | " + " | ".join(cells) + " |")


def mem(paths):
    rows = [r for r in read_tsv(paths) if r["mode"] == "hold"]
    per = defaultdict(list)
    for r in rows:
        per[(r["target"], int(r["conns"]))].append(r)
    print("| target | connections | server VmRSS before (KiB) | with them open (KiB) | per connection (bytes) |")
    print("|---|---|---|---|---|")
    for (t, n) in sorted(per):
        rs = per[(t, n)]
        print(f"| {t} | {n} | {fmt(median([float(r['rss_before_kib']) for r in rs]))}"
              f" | {fmt(median([float(r['rss_held_kib']) for r in rs]))}"
              f" | {fmt(median([float(r['rss_per_conn_b']) for r in rs]))} |")


def cpu(paths):
    rows = [r for r in read_tsv(paths) if r.get("server_user_us", "-") != "-"]
    per, user = defaultdict(list), defaultdict(list)
    for r in rows:
        key = (r["target"], r["scenario"])
        per[key].append(float(r["server_user_us"]) + float(r["server_sys_us"]))
        user[key].append(float(r["server_user_us"]))
    targets = sorted({t for t, s in per if s in SCENARIOS})
    print("Server CPU time per operation, µs (user + system; median, min–max; in brackets the median user part):\n")
    print("| target | " + " | ".join(SCENARIOS) + " |")
    print("|---|" + "---|" * len(SCENARIOS))
    for t in targets:
        cells = []
        for s in SCENARIOS:
            xs = per.get((t, s), [])
            if not xs:
                cells.append("–")
                continue
            cells.append(f"{median(xs):.2f} ({min(xs):.2f}–{max(xs):.2f}, n={len(xs)}) [{median(user[(t, s)]):.2f}]")
        print(f"| {t} | " + " | ".join(cells) + " |")
    print("\nCPU per operation of the second target over the first's (above 1: the first spends less):\n")
    pair_table(per, "pair", "vs", lambda ma, mb: mb / ma)


def main(argv):
    if len(argv) < 3 or argv[1] not in ("ratios", "equivalence", "table", "scale", "mem", "cpu") or (argv[1] == "table" and len(argv) != 4):
        sys.exit(__doc__)
    {"ratios": lambda: ratios(argv[2:]),
     "table": lambda: table(argv[2], argv[3]),
     "scale": lambda: scale(argv[2:]),
     "equivalence": lambda: equivalence(argv[2]),
     "mem": lambda: mem(argv[2:]),
     "cpu": lambda: cpu(argv[2:])}[argv[1]]()


if __name__ == "__main__":
    main(sys.argv)
