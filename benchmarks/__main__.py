"""python -m benchmarks: speed, memory and scale against the targets.

  python -m benchmarks                      # N = 1,000,000, prints a summary table
  python -m benchmarks --scale 10000000     # the 10M run (about 25 min of building + queries)
  python -m benchmarks --json               # one JSON object on stdout (progress on stderr)
  python -m benchmarks --write-results      # also writes benchmarks/RESULTS.md

Options:
  --skip PHASE        ingest | rebuild | pages | collect | sentiment (repeatable)
  --ingest-sample K   end-to-end ingest sample (default min(N, 100k)); enrichment is the slow part
  --rebuild-sample K  rebuild sample database (default min(N, 100k))
  --feeds F           collection benchmark feeds (default 500, the target's figure)
  --repeat R          page timing repetitions (median; default 5)
  --workdir DIR       keep the databases there (default: a temporary folder, removed)
"""

from __future__ import annotations

import argparse
import json
import sys

from . import run as runmod


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=int, default=1_000_000)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--write-results", action="store_true")
    ap.add_argument("--skip", action="append", default=[], choices=runmod.PHASES)
    ap.add_argument("--ingest-sample", type=int)
    ap.add_argument("--rebuild-sample", type=int)
    ap.add_argument("--feeds", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--workdir")
    a = ap.parse_args(argv)
    out = runmod.run(a.scale, tuple(a.skip), a.ingest_sample, a.rebuild_sample, a.workdir, a.repeat, a.feeds)
    if a.write_results:
        runmod.write_results(out)
    if a.json:
        print(json.dumps(out, default=str))
    else:
        for row in runmod.verdicts(out):
            print(" | ".join(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
