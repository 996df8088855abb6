"""Write a synthetic sample set with its ground truth:
python -m digitizer_tools.synth OUTDIR             the easy set (samples.build_all)
python -m digitizer_tools.synth --hard OUTDIR      the hard set (hard.build_hard)
python -m digitizer_tools.synth --degraded OUTDIR  the degraded set (samples.build_degraded)
python -m digitizer_tools.synth --foreign OUTDIR [--seed N] [--count 60] [--hard-each 2]
                          [--renderers docx,html] [--scale 0.5] [--born-digital]
                                             reports drawn by the independent renderers (foreign.build_foreign)"""
import argparse
import sys
import time

SUMMARY_KEYS = ("layout", "condition", "renderer", "format", "dpi", "injected")


def _build(args):
    if args.hard:
        from .hard import build_hard

        return build_hard(args.outdir)
    if args.foreign:
        from .foreign import build_foreign

        return build_foreign(args.outdir, args.seed, args.count, args.hard_each,
                             tuple(args.renderers.split(",")), args.scale, args.born_digital)
    from .samples import build_all, build_degraded

    return (build_degraded if args.degraded else build_all)(args.outdir)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m digitizer_tools.synth", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--hard", action="store_true")
    kind.add_argument("--degraded", action="store_true")
    kind.add_argument("--foreign", action="store_true")
    parser.add_argument("outdir")
    parser.add_argument("--seed", type=int, default=None, help="foreign set: seed (default: a fresh one, printed)")
    parser.add_argument("--count", type=int, default=60, help="foreign set: documents over levels 0-2")
    parser.add_argument("--hard-each", type=int, default=2, help="foreign set: documents per hard condition")
    parser.add_argument("--renderers", default="docx,html", help="foreign set: renderers, taken in turn")
    parser.add_argument("--born-digital", action="store_true",
                        help="foreign set: the renderers' PDFs themselves (text layer, vector rules), not scans")
    parser.add_argument("--scale", type=float, default=1.0, help="foreign set: pages scaled (0.5: half resolution)")
    args = parser.parse_args(argv)
    started = time.time()
    for d in _build(args):
        print(f"{d['document']:34s} " + " ".join(f"{k}={d[k]}" for k in SUMMARY_KEYS if k in d), flush=True)
    print(f"done in {time.time() - started:.1f}s -> {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
