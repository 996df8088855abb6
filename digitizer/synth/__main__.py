"""python -m digitizer.synth OUTDIR : write the synthetic sample set (see samples.py).
python -m digitizer.synth --hard OUTDIR : write the hard sample set (see hard.py)."""
import sys
import time

from .samples import build_all


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 2 and argv[0] == "--hard":
        from .hard import build_hard
        t = time.time()
        for d in build_hard(argv[1]):
            print(f"{d['document']:34s} {d['condition']:11s} {d['layout']} {d['format']:4s} {d['dpi']:3d}dpi "
                  f"pages={d['pages']} injected={d['injected']} ({d['seconds']}s)")
        print(f"done in {time.time() - t:.1f}s -> {argv[1]}")
        return 0
    if len(argv) == 2 and argv[0] == "--degraded":
        from .samples import build_degraded

        for d in build_degraded(argv[1]):
            print(f"{d['document']:20s} {d['layout']} {d['dpi']}dpi injected={d['injected']}")
        return 0
    if len(argv) != 1 or argv[0].startswith("--"):
        print("usage: python -m digitizer.synth [--hard | --degraded] OUTDIR", file=sys.stderr)
        return 2
    t = time.time()
    for d in build_all(argv[0]):
        print(f"{d['document']:26s} {d['layout']} {d['format']:5s} {d['dpi']}dpi {d['zero_style']:6s} "
              f"skew={d['skew']:+.1f} {d['condition']:8s} injected={d['injected']} files={len(d['files'])}")
    print(f"done in {time.time() - t:.1f}s -> {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
