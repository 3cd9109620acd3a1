"""Embedded demo corpus: a fictional Québec telecom market served as real feeds and forum pages.

``python -m crawlers.demo build|serve|up`` — see ``__main__`` for options.
"""

from .generate import BRANDS, DemoSummary, build_site
from .server import serve_in_thread

__all__ = ["BRANDS", "DemoSummary", "build_site", "serve_in_thread"]
