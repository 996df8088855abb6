"""Write a synthetic sample set with its ground truth:
python -m digitizer.synth OUTDIR             the easy set (samples.build_all)
python -m digitizer.synth --hard OUTDIR      the hard set (hard.build_hard)
python -m digitizer.synth --degraded OUTDIR  the degraded set (samples.build_degraded)"""
import sys
import time

SUMMARY_KEYS = ("layout", "condition", "format", "dpi", "injected")


def _builder(flag: str | None):
    if flag == "--hard":
        from .hard import build_hard

        return build_hard
    from .samples import build_all, build_degraded

    return {None: build_all, "--degraded": build_degraded}.get(flag)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    flag, rest = (argv[0], argv[1:]) if argv and argv[0].startswith("--") else (None, argv)
    build = _builder(flag)
    if build is None or len(rest) != 1:
        print("usage: python -m digitizer.synth [--hard | --degraded] OUTDIR", file=sys.stderr)
        return 2
    started = time.time()
    for d in build(rest[0]):
        print(f"{d['document']:34s} " + " ".join(f"{k}={d[k]}" for k in SUMMARY_KEYS if k in d))
    print(f"done in {time.time() - started:.1f}s -> {rest[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
