"""TBX data categories as transkit maps them: statuses, parts of speech, the transkit note.

Pure values and functions shared by `transkit.formats.tbx` (TBX v3, v2 and
TBX-Min) and `transkit.formats.tbx2008`; see `transkit.formats.tbx` for the
mapping of a glossary row to TBX-Basic.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

STATUS_TO_TBX = {
    "preferred": "preferredTerm-admn-sts",
    "admitted": "admittedTerm-admn-sts",
    "deprecated": "deprecatedTerm-admn-sts",
    "forbidden": "deprecatedTerm-admn-sts",
}
TBX_POS = ("noun", "verb", "adjective", "adverb", "other")
PROPER_NOUN = {"name", "propn", "proper noun", "propernoun", "proper"}
META_PREFIX = "transkit:"
META_RE = re.compile(r"transkit:( [A-Za-z-]+(=[^\s]*)?)*")
#: TBX-Min 1.0 (``<TBX dialect="TBX-Min">``): structure elements, and data
#: categories written as plain elements, by their TBX-Basic names.
MIN_CONTAINERS = {"langSet", "langGroup", "tig", "termGroup", "term"}
MIN_CATEGORIES = {"termStatus": "administrativeStatus"}

#: ISO 639 aliases seen in exports (memoQ and MultiTerm use 3-letter codes).
LANG_ALIASES = {"de": {"de", "deu", "ger"}, "en": {"en", "eng"}}


def meta_text(pairs: list[tuple[str, str | None]]) -> str:
    parts = [META_PREFIX]
    for key, value in pairs:
        parts.append(key if value is None else f"{key}={quote(value, safe='')}")
    return " ".join(parts)


def tbx_pos(pos: str) -> str:
    if pos in TBX_POS:
        return pos
    low = pos.strip().lower()
    if low.startswith("adj"):
        return "adjective"
    if low.startswith("adv"):
        return "adverb"
    if low.startswith("verb") or low in {"v", "vb"}:
        return "verb"
    if low.startswith("noun") or low in {"n", "nn", "substantiv"} or low in PROPER_NOUN:
        return "noun"
    return "other"


def lang_matches(value: str | None, wanted: str) -> bool:
    if not value:
        return False
    primary = value.replace("_", "-").split("-", 1)[0].lower()
    want = wanted.replace("_", "-").split("-", 1)[0].lower()
    return primary in LANG_ALIASES.get(want, {want})


def status_from_tbx(value: str) -> str | None:
    low = value.strip().lower().replace("-admn-sts", "").replace(" ", "")
    if low.startswith(("preferred", "standardized", "standardised")):
        return "preferred"
    if low.startswith(("admitted", "legal", "regulated", "permitted")):
        return "admitted"
    if low.startswith(("forbidden", "prohibited", "donotuse", "banned")):
        return "forbidden"
    if low.startswith(("deprecated", "superseded", "obsolete", "notrecommended")):
        return "deprecated"
    return None


def parse_meta(text: str) -> dict[str, str] | None:
    if not META_RE.fullmatch(text):
        return None
    result: dict[str, str] = {}
    for part in text[len(META_PREFIX) :].split():
        key, _, value = part.partition("=")
        result[key] = unquote(value)
    return result
