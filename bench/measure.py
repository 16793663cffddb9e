#!/usr/bin/env python3
"""measure.py LABEL BYTES CONNS -- CMD...

Runs CMD (stdout to /dev/null) under GNU time, and prints one row: label,
wall seconds, MB/s and connections/s over BYTES and CONNS, and the command's
peak RSS. (Python's own wait4 rusage would count the forked copy of the
Python interpreter before exec: about 14 MiB for every command.)"""
import os
import subprocess
import sys
import tempfile
import time

label, nbytes, conns = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cmd = sys.argv[sys.argv.index("--") + 1:]
timeout = float(os.environ.get("BENCH_TIMEOUT", "900"))
tf = tempfile.NamedTemporaryFile(prefix="measure", delete=False)
tf.close()
t0 = time.monotonic()
p = subprocess.Popen(["/usr/bin/time", "-f", "%e %M", "-o", tf.name] + cmd,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
status = None
while status is None:
    pid, st, ru = os.wait4(p.pid, os.WNOHANG)
    if pid:
        status = st
        break
    if time.monotonic() - t0 > timeout:
        p.kill()
        pid, st, ru = os.wait4(p.pid, 0)
        print("%-34s did not finish in %.0f s (killed)" % (label, timeout))
        sys.exit(0)
    time.sleep(0.01)
wall = time.monotonic() - t0
with open(tf.name) as f:
    last = [line for line in f.read().splitlines() if line.strip()][-1].split()
os.unlink(tf.name)
rss_kib = float(last[1])
mb = nbytes / 1e6
print("%-34s %8.2f s %9.1f MB/s %10.0f conn/s %8.1f MiB RSS  (exit %d)"
      % (label, wall, mb / wall, conns / wall if conns else 0, rss_kib / 1024.0,
         os.waitstatus_to_exitcode(status)))
