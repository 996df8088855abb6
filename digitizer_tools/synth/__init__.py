"""Synthetic scanned annual reports with ground truth (see samples.py)."""
