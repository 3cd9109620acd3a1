"""Peak memory per phase: each phase runs in a fresh subprocess.

A new interpreter per phase means ru_maxrss is that phase's own peak, not the
benchmark driver's (which holds generated tables). RUSAGE_CHILDREN covers the
phase's own children (collect's Scrapy process; an upper bound, since a child
starts from the phase's size at fork), so the figure reported is the larger of
the two. The phase's own figure is VmHWM, not ru_maxrss (see _hwm_mb).

  python -m benchmarks.memory <phase> '<json args>'   prints one JSON line
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _hwm_mb() -> float | None:
    # Linux carries ru_maxrss across fork+exec, so RUSAGE_SELF would report the
    # driver's peak (gigabytes after building the database); VmHWM belongs to
    # this process's own address space since exec.
    try:
        for line in open("/proc/self/status", encoding="ascii"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _peak_mb() -> dict:
    own = _hwm_mb() or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"peak_rss_mb": max(own, kids), "self_rss_mb": own, "children_rss_mb": kids}


def run_phase(phase: str, **kwargs) -> dict:
    proc = subprocess.run([sys.executable, "-m", "benchmarks.memory", phase, json.dumps(kwargs)],
                          cwd=str(ROOT), capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"phase {phase} failed: {proc.stderr.strip()[-800:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _phase(phase: str, args: dict) -> dict:
    from warehouse.config import load_config

    if phase == "rebuild":
        from warehouse.enrich import rebuild
        r = rebuild(args["db"], load_config(args["config"]))
        return {"mentions": r.mentions, "seconds": r.seconds}
    if phase == "collect":
        from .collection import collect_once
        return collect_once(args["config"], args["db"])
    if phase == "dashboard":
        import time

        from . import pages
        v = pages.default_view(args["db"], load_config(args["config"]))
        t0 = time.perf_counter()
        pages.PAGES[args["page"]](v)
        return {"page": args["page"], "seconds": time.perf_counter() - t0}
    raise SystemExit(f"unknown phase {phase}")


if __name__ == "__main__":
    out = _phase(sys.argv[1], json.loads(sys.argv[2]) if len(sys.argv) > 2 else {})
    out.update(_peak_mb())
    print(json.dumps(out, default=str))
