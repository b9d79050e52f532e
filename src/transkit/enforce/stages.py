"""The glossary enforced on the engine's English, stage by stage: the driver.

`enforce_terms` runs the stages in order (`STAGES`); each one is a module:

1. **nbest** (`nbest`): the best of n hypotheses that already obeys every term.
2. **protected** (`protect`): the German terms as placeholders, the approved
   English put back; only for an engine that cannot be steered.
3. **substituted** (`substitute`): another English rendering of a missing
   term (deprecated or forbidden rows, the engine's own, a dictionary's)
   replaced by the approved one.
4. **redecoded** (`redecode`): a term missing altogether forced in where
   attention places it; the engine finishes the sentence.
5. **flagged**: every target scrubbed of every forbidden term (`scrub`);
   what is still missing is flagged with the reason.

Every stage judges its output with `find` (is the term there?) and `count`
(as often as in the German?), and writes English shaped by `english`.
Stages 3 to 5 work on a `Draft` per segment that still needs repair.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from transkit.data import Segment, TermCheck, TermMatch
from transkit.enforce.count import count_checks, no_doubles
from transkit.enforce.draft import Draft
from transkit.enforce.nbest import rerank
from transkit.enforce.policy import TermPolicy
from transkit.enforce.protect import translate_protected
from transkit.enforce.redecode import redecode
from transkit.enforce.scrub import scrub_targets
from transkit.enforce.substitute import substitute_missing
from transkit.engine.base import Engine, can_constrain

__all__ = ["STAGES", "TermPolicy", "enforce_terms", "rerank_and_protect"]

#: Per-term stages, in the order they are tried.
STAGES = ("nbest", "protected", "substituted", "redecoded", "flagged")


def enforce_terms(
    segments: Sequence[Segment],
    engine: Engine,
    *,
    num_hypotheses: int = 4,
    progress: Callable[[int], None] | None = None,
    policy: TermPolicy | None = None,
    dictionary: Path | None = None,
) -> list[Segment]:
    """Translate ``segments`` so that every glossary term they carry is obeyed.

    ``policy`` carries what the glossary says beyond each match (deprecated
    renderings, every forbidden term); without it only the forbidden terms
    of the matched concepts are known.  ``dictionary`` is a trans-de-en
    dictionary file whose equivalents of a missing term are also substituted
    (where the attention links them to it).  Each check gets its stage, a
    flagged one its reason.
    """
    policy = policy or TermPolicy()
    steerable = can_constrain(engine)

    # 1. n-best: a hypothesis that obeys every term and doubles none.
    out = rerank(
        segments, engine, num_hypotheses=num_hypotheses, progress=progress, accept=no_doubles
    )
    # 2. protected: placeholders only for an engine that cannot be steered;
    # re-decoding needs no cooperation and costs less than a second full decode.
    if not steerable:
        out = translate_protected(out, engine, num_hypotheses=num_hypotheses)

    # What still misses (or doubles) a term is repaired in a draft from here on.
    drafts = {i: Draft(i, s.target or "") for i, s in enumerate(out) if _needs_repair(s)}
    # 3. substituted: other renderings of a missing term replaced.
    substitute_missing(out, drafts, engine, policy, dictionary, aligned=steerable)
    # 4. redecoded: what is still missing forced in, the engine finishing.
    if steerable and drafts:
        redecode(out, list(drafts.values()), engine)
    # 5. every target scrubbed of forbidden terms; the rest flagged.
    scrubbed = scrub_targets(out, drafts, policy)
    return [
        _verdict(seg, drafts.get(i), text, repairs, steerable)
        for i, (seg, (text, repairs)) in enumerate(zip(out, scrubbed, strict=True))
    ]


def rerank_and_protect(
    segments: Sequence[Segment],
    engine: Engine,
    *,
    num_hypotheses: int = 4,
    progress: Callable[[int], None] | None = None,
    protect: bool = True,
    accept: Callable[[str, Sequence[TermMatch]], bool] | None = None,
) -> list[Segment]:
    """Only the first two stages: n-best, then (``protect``) placeholders.

    A segment neither obeys ends "failed" with the candidate that obeys the
    most terms, for the repair stages of `enforce_terms`.
    """
    out = rerank(segments, engine, num_hypotheses=num_hypotheses, progress=progress, accept=accept)
    return translate_protected(out, engine, num_hypotheses=num_hypotheses) if protect else out


def _needs_repair(segment: Segment) -> bool:
    target = segment.target or ""
    return segment.method == "failed" or bool(
        segment.checks and not no_doubles(target, segment.terms)
    )


def _verdict(
    seg: Segment, draft: Draft | None, text: str, repairs: tuple[str, ...], steerable: bool
) -> Segment:
    """The segment with its final text, one check per term (with its stage,
    or flagged with the reason), its method and the repair lines."""
    if draft is None:
        if not repairs:
            return seg
        checks = count_checks(text, seg.terms) if seg.checks else seg.checks
        return replace(seg, target=text, checks=_keep_stages(checks, seg.checks), repairs=repairs)
    base = {k: c.stage for k, c in enumerate(seg.checks)}
    final = []
    for k, check in enumerate(count_checks(text, seg.terms)):
        stage = draft.stages.get(k) or base.get(k) or ""
        if check.satisfied:
            stage = stage or "nbest"
            final.append(replace(check, stage=stage, replaced=draft.replaced.get(k, "")))
        else:
            final.append(replace(check, stage="flagged", reason=_reason(steerable, check)))
    lines = tuple(
        f"{c.term}: {c.replaced if c.replaced else 'rendering'} replaced by '{c.found}'"
        for c in final
        if c.stage == "substituted"
    ) + tuple(
        f"{c.term}: '{c.found}' forced by re-decoding" for c in final if c.stage == "redecoded"
    )
    return replace(
        seg, target=text, checks=tuple(final), method=_method(final), repairs=lines + repairs
    )


def _keep_stages(new: Sequence[TermCheck], old: Sequence[TermCheck]) -> tuple[TermCheck, ...]:
    if len(new) != len(old):
        return tuple(new)
    return tuple(
        replace(n, stage=o.stage if n.satisfied else "flagged", reason=o.reason)
        for n, o in zip(new, old, strict=True)
    )


def _method(checks: Sequence[TermCheck]) -> str:
    stages = {c.stage for c in checks}
    for stage, method in (("flagged", "failed"), ("redecoded", "redecoded")):
        if stage in stages:
            return method
    return "substituted" if "substituted" in stages else "nbest"


def _reason(steerable: bool, check: TermCheck) -> str:
    if check.forbidden_found:
        return "a forbidden rendering remained"
    if not steerable:
        return "missing; the engine cannot re-decode with a forced prefix"
    return "missing after n-best, protection, substitution and re-decoding"
