"""Tags out of a marked-up text and back in at given placements."""

from __future__ import annotations

from transkit.serve.markup import Unit, parse_markup, render_unit
from transkit.text.align import Placement


def test_blocks_stay_inline_tags_become_anchors() -> None:
    markup = parse_markup("<p>Die <b>neue</b> Regel<br>gilt &amp; hält.</p><script>x<y</script>")
    kinds = [type(p).__name__ for p in markup.pieces]
    assert kinds == ["str", "Unit", "str", "str"]  # the script passes through as skeleton
    unit = next(p for p in markup.pieces if isinstance(p, Unit))
    assert unit.text == "Die neue Regel gilt & hält."
    b = unit.opens.index("<b>")
    assert unit.text[unit.anchors[b].start : unit.anchors[b].end] == "neue"
    assert unit.anchors[unit.opens.index("<br>")].point


def test_render_puts_tags_where_placed_and_escapes_text() -> None:
    unit = parse_markup("Die <b>neue</b> Regel.").pieces[0]
    assert isinstance(unit, Unit)
    target = "The new rule & more."
    out = render_unit(unit, target, [Placement(4, 7)])
    assert out == "The <b>new</b> rule &amp; more."


def test_xml_mode_keeps_case_and_ignore_tags_pass_through() -> None:
    markup = parse_markup(
        "<Para>Ein <x>Satz</x> <keep>nicht übersetzen</keep>.</Para>",
        xml=True,
        splitting=["Para"],
        ignore=["keep"],
    )
    unit = next(p for p in markup.pieces if isinstance(p, Unit))
    assert "nicht übersetzen" not in unit.text
    assert "<keep>nicht übersetzen</keep>" in unit.opens
    assert markup.pieces[0] == "<Para>" and markup.pieces[-1] == "</Para>"
