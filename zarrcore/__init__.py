"""zarrcore: an embedded zarr v2/v3 and N5 engine (numpy + numcodecs, no Qt)."""

from zarrcore.errors import ZarrcoreError

__all__ = ["ZarrcoreError"]
__version__ = "0.1.0"
