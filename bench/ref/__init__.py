"""Code that runs under the reference interpreter (zarr-python 3, tensorstore)."""
