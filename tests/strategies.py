"""Hypothesis strategies shared by several test modules (importable: tests/ is on sys.path)."""

from __future__ import annotations

from hypothesis import strategies as st

from transkit.data import SEGMENT_STATES, Document, Segment, TermCheck, TermMatch

# Any text a UTF-8 file can hold (no lone surrogates); control characters
# included: they travel as inline codes.
_TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=25)
_LEADING = st.sampled_from(["", " ", "  ", "\n", "\n\n", "\r\n", "\t", " \n ", "\r", "\x0c"])


@st.composite
def documents(draw) -> Document:
    segments = []
    for number in range(draw(st.integers(0, 6))):
        source = draw(_TEXT)
        state = draw(st.sampled_from(SEGMENT_STATES))
        target = None if state == "new" else draw(st.one_of(st.just(""), _TEXT))
        terms: tuple[TermMatch, ...] = ()
        checks: tuple[TermCheck, ...] = ()
        if draw(st.booleans()):
            start = draw(st.integers(0, len(source) - 1))
            end = draw(st.integers(start + 1, len(source)))
            terms = (
                TermMatch(
                    "c",
                    source[start:end],
                    source[start:end],
                    start,
                    end,
                    required=(target or "x")[:3].strip() or "x",
                ),
            )
            checks = (TermCheck("c", source[start:end], terms[0].required, draw(st.booleans())),)
        segments.append(
            Segment(
                id=draw(st.sampled_from([str(number + 1), f"s {number}", ""])),
                source=source,
                target=target,
                leading=draw(_LEADING),
                state=state,
                terms=terms,
                checks=checks,
                origin=draw(st.sampled_from([None, "argos:translate-de_en 1.9"])),
            )
        )
    return Document("doc.txt", tuple(segments), trailing=draw(_LEADING))
