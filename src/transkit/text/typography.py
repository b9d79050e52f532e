"""Target-side typography: German quotation marks become English ones.

>>> english_quotes("„neues goldenes Zeitalter“")
'“neues goldenes Zeitalter”'
>>> english_quotes("the »new« era and ‚this‘")
'the “new” era and ‘this’'
>>> match_initial_case("Lieferketten sind wichtig.", "supply chains are important.")
'Supply chains are important.'
"""

from __future__ import annotations

import re

__all__ = ["english_quotes", "match_initial_case"]

_DOUBLE = re.compile(r"[„»]([^„“”»«\"\n]*)[“«\"”]")
_SINGLE = re.compile(r"[‚›]([^‚‘’›‹\n]*)[‘‹’]")
_STRAIGHT = re.compile(r'"([^"\n]*)"')


def english_quotes(text: str) -> str:
    """Rewrite „…“, »…« and straight "…" as “…”, and ‚…‘, ›…‹ as ‘…’."""
    text = _DOUBLE.sub(r"“\1”", text)
    text = _SINGLE.sub(r"‘\1’", text)
    return _STRAIGHT.sub(r"“\1”", text)


_FIRST_LETTER = re.compile(r"[^\W_]")  # first letter or digit


def match_initial_case(source: str, target: str) -> str:
    """Capitalise the target's first letter when the German sentence starts with a capital.

    Small models sometimes start a sentence in lower case; a German sentence
    that starts with a capital (every sentence does, bar brand names such as
    "iPhone") should give an English one that does too.
    """
    src = _FIRST_LETTER.search(source)
    tgt = _FIRST_LETTER.search(target)
    if not src or not tgt or not src.group().isupper() or not tgt.group().islower():
        # (a digit is neither upper nor lower case: "250 Kirschbäume" is left alone)
        return target
    i = tgt.start()
    return target[:i] + target[i].upper() + target[i + 1 :]
