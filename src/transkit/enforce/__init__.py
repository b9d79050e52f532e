"""Glossary enforcement on the engine's English, one module per stage.

`stages.enforce_terms` is the driver; it runs, in order, `nbest`, `protect`,
`substitute`, `redecode` and `scrub`, then flags what is still missing.
The stages share `find` (is a term in the English?), `count` (as often as in
the German?), `english` (the approved English shaped for its place),
`policy` (what the glossary says beyond each match) and `draft` (a segment
under repair).  `parts` cuts over-long segments before enforcement;
`recheck` and `report` judge and report targets afterwards.
"""
