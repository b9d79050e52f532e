"""transkit: offline German->English translation that obeys a glossary.

The public API is imported lazily, so ``import transkit`` stays cheap.
"""

from __future__ import annotations

__version__ = "0.1.0"
