"""Hypothesis strategies for XLIFF content with random inline codes (shared by tests)."""

from __future__ import annotations

from hypothesis import strategies as st
from lxml import etree

from transkit.formats.xliff_common import XLIFF2_NS, XLIFF12_NS

__all__ = ["CODES", "END", "sources"]

WORDS = st.sampled_from(["die", "Allianz", "wächst", "in", "Tokio", "seltene", "Erden", "2025"])
CODES = {
    XLIFF12_NS: {"container": ("g", "mrk"), "point": ("x", "ph", "it"), "pair": ("bpt", "bx")},
    XLIFF2_NS: {"container": ("pc", "mrk"), "point": ("ph",), "pair": ("sc", "sm")},
}
END = {"bpt": "ept", "bx": "ex", "sc": "ec", "sm": "em"}


def _content(draw, depth: int) -> list:
    items = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["text", "text", "container", "point", "pair"]))
        if kind == "container" and depth >= 3:
            kind = "point"
        if kind == "text":
            words = draw(st.lists(WORDS, min_size=1, max_size=4))
            items.append(("text", " " + " ".join(words) + " "))
        elif kind == "container":
            items.append(("container", _content(draw, depth + 1)))
        else:
            items.append((kind, None))
    return items


@st.composite
def sources(draw, ns: str | None = None):
    """A <source> in XLIFF 1.2 or 2.x holding a random tree of inline codes."""
    ns = ns or draw(st.sampled_from([XLIFF12_NS, XLIFF2_NS]))
    root = etree.Element(f"{{{ns}}}source", nsmap={None: ns})
    counter = iter(range(1, 1000))

    def build(el, items) -> None:
        for kind, payload in items:
            if kind == "text":
                if len(el):
                    el[-1].tail = (el[-1].tail or "") + payload
                else:
                    el.text = (el.text or "") + payload
                continue
            name = draw(st.sampled_from(CODES[ns][kind]))
            ident = str(next(counter))
            child = etree.SubElement(el, f"{{{ns}}}{name}", id=ident)
            if name == "mrk" and ns == XLIFF12_NS:
                child.set("mtype", "protected")
            if name == "mrk" and ns == XLIFF2_NS:
                child.set("type", "term")
            if kind == "container":
                build(child, payload)
            elif kind == "pair":
                if name == "bx":
                    child.set("rid", ident)
                inner = _content(draw, 3)
                build(el, [i for i in inner if i[0] != "container"])
                end = etree.SubElement(el, f"{{{ns}}}{END[name]}")
                if ns == XLIFF2_NS:
                    end.set("startRef", ident)
                elif name == "bx":
                    end.set("id", str(next(counter)))
                    end.set("rid", ident)
                else:
                    end.set("id", ident)

    build(root, _content(draw, 0))
    return root
