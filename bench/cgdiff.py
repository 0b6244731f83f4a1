#!/usr/bin/env python3
"""cgdiff.py SHORT LONG COUNT [TOP]: instructions per operation from two
callgrind profiles of one workload, the second COUNT operations longer.

Each profile's self cost per function (callgrind_annotate) is subtracted,
the first from the second, and divided by COUNT: start-up, warm-up and
tear-down cancel out, and what is left is the cost of one operation, which
varies by about 1% from run to run. It prints the total and two parts:
  own       every function outside the runtime (sigloop, the standard
            library, x/sys, the test or server itself);
  runtime   the runtime's work on their behalf: allocation, write
            barriers, type assertions, map look-ups, copies;
then the TOP functions (default 30) by instructions per operation.
The runtime's scheduler and collector are in the total only: their share
of a short run is less steady."""
import collections
import re
import subprocess
import sys

OWN_EXCLUDE = re.compile(r'(runtime\.|internal/runtime|aeshash|gcWriteBarrier|memeqbody|indexbytebody|cmpbody)')
RUNTIME_FOR_CODE = re.compile(
    r'runtime\.(malloc|newobject|mspan|memclr|typedslicecopy|bulkBarrier|wbBuf|nextFree|mcache|mcentral|'
    r'itab|getitab|typeAssert|efaceeq|ifaceeq|mapaccess|typedmemmove|memmove)|internal/runtime/maps')


def load(path):
    out = subprocess.run(['callgrind_annotate', '--auto=no', '--threshold=100', path],
                         capture_output=True, text=True, check=True).stdout
    cost = collections.Counter()
    for line in out.splitlines():
        m = re.match(r'\s*([\d,]+)\s+\([^)]*\)\s+(\S.*)$', line)
        if not m or ':' not in m.group(2):
            continue
        name = m.group(2).split(':', 1)[1]
        name = re.sub(r'\s+\[/[^\]]*\]$', '', name)  # the binary's path
        name = re.sub(r"'\d+$", '', name)  # callgrind's recursion marks
        name = name.replace('github.com/sigloop/sigloop/', '')
        cost[name] += int(m.group(1).replace(',', ''))
    return cost


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    short, long_, count = load(sys.argv[1]), load(sys.argv[2]), float(sys.argv[3])
    top = int(sys.argv[4]) if len(sys.argv) > 4 else 30
    per = {k: (long_[k] - short.get(k, 0)) / count for k in long_}
    own = sum(v for k, v in per.items() if not OWN_EXCLUDE.match(k))
    rt = sum(v for k, v in per.items() if RUNTIME_FOR_CODE.match(k))
    print(f"instructions per operation: total {sum(per.values()):.0f}; "
          f"own {own:.0f}; runtime for them {rt:.0f}; own+runtime {own + rt:.0f}")
    for k, v in sorted(per.items(), key=lambda kv: -kv[1])[:top]:
        print(f"{v:8.1f}  {k[:130]}")


if __name__ == '__main__':
    main()
