"""Target-side typography: German quotation marks become English ones.

>>> english_quotes("„neues goldenes Zeitalter“")
'“neues goldenes Zeitalter”'
>>> english_quotes("the »new« era and ‚this‘")
'the “new” era and ‘this’'
"""

from __future__ import annotations

import re

__all__ = ["english_quotes"]

_DOUBLE = re.compile(r"[„»]([^„“”»«\"\n]*)[“«\"”]")
_SINGLE = re.compile(r"[‚›]([^‚‘’›‹\n]*)[‘‹’]")
_STRAIGHT = re.compile(r'"([^"\n]*)"')


def english_quotes(text: str) -> str:
    """Rewrite „…“, »…« and straight "…" as “…”, and ‚…‘, ›…‹ as ‘…’."""
    text = _DOUBLE.sub(r"“\1”", text)
    text = _SINGLE.sub(r"‘\1’", text)
    return _STRAIGHT.sub(r"“\1”", text)
