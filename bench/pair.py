#!/usr/bin/env python3
"""pair.py RUNS FILE LABEL=CMD... : each command (FILE appended, stdout to
/dev/null) under GNU time, the commands one after the other, RUNS rounds; then
per command the median wall time and the range (min-max), the median peak RSS,
and the ratio of its median to the first command's. Alternating the commands
spreads the load of a shared machine over all of them alike."""
import os
import statistics
import subprocess
import sys
import tempfile


def run(cmd):
    with tempfile.NamedTemporaryFile(prefix="pair", mode="r") as tf:
        subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", tf.name] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        wall, rss = [line for line in tf.read().splitlines() if line.strip()][-1].split()
    return float(wall), float(rss) / 1024.0


def main():
    runs, path = int(sys.argv[1]), sys.argv[2]
    cmds = [arg.split("=", 1) for arg in sys.argv[3:]]
    got = {label: [] for label, _ in cmds}
    for _ in range(runs):
        for label, cmd in cmds:
            got[label].append(run(cmd.split() + [path]))
    size = os.path.getsize(path) / 1e6
    first = None
    for label, _ in cmds:
        walls = sorted(w for w, _ in got[label])
        med = statistics.median(walls)
        first = first or med
        rss = statistics.median(r for _, r in got[label])
        print("%-34s median %5.2f s (%4.2f-%4.2f)  %6.0f MB/s  %5.1f MiB RSS  %4.2fx the first"
              % (label, med, walls[0], walls[-1], size / med, rss, med / first))


if __name__ == "__main__":
    main()
