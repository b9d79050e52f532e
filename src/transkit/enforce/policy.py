"""What the glossary says beyond each `TermMatch`: deprecated renderings, every forbidden term."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["TermPolicy"]


@dataclass(frozen=True)
class TermPolicy:
    """What the glossary says beyond each `TermMatch`: deprecated renderings
    per concept, and every forbidden English term with its replacement.

    Substitution replaces the deprecated renderings; scrubbing replaces every
    forbidden term of the whole glossary, not only of the concepts matched.
    """

    deprecated: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: forbidden English -> (concept id, preferred English)
    forbidden: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def from_glossary(cls, glossary: Any | None) -> TermPolicy:
        if glossary is None:
            return cls()
        deprecated: dict[str, tuple[str, ...]] = {}
        forbidden: dict[str, tuple[str, str]] = {}
        approved: set[str] = set()
        for concept in glossary.concepts():
            approved.update(t.lower() for t in concept.required)
            if concept.deprecated:
                deprecated[concept.id] = tuple(concept.deprecated)
            for bad in concept.forbidden:
                if concept.preferred:
                    forbidden.setdefault(bad, (concept.id, concept.preferred))
        # A term approved for one concept is not scrubbed for being forbidden in another.
        forbidden = {k: v for k, v in forbidden.items() if k.lower() not in approved}
        return cls(deprecated, forbidden)
