"""python -m digitizer.synth OUTDIR : write the synthetic sample set (see samples.py)."""
import sys
import time

from .samples import build_all


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m digitizer.synth OUTDIR", file=sys.stderr)
        return 2
    t = time.time()
    for d in build_all(argv[0]):
        print(f"{d['document']:26s} {d['layout']} {d['format']:5s} {d['dpi']}dpi {d['zero_style']:6s} "
              f"skew={d['skew']:+.1f} {d['condition']:8s} injected={d['injected']} files={len(d['files'])}")
    print(f"done in {time.time() - t:.1f}s -> {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
