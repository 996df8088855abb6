"""Development tools beside the reader, not installed with it: the sample generators
(`python -m digitizer_tools.synth`) and the benchmark (`python -m digitizer_tools.bench`).
Run from the checkout's root (the Makefile's targets do)."""
