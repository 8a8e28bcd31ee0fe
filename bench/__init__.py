"""Benchmarks: zarrcore beside zarr-python 2.18, zarr-python 3 and tensorstore in one run.

``make bench`` (``python -m bench``) builds the datasets once into bench/out/, runs every
case on every engine with interleaved repetitions, prints a table of medians and ratios and
rewrites bench/RESULTS.md. Not part of ``make test`` (a smoke test runs ``--smoke``).
"""
