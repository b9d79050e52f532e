"""Terminology upkeep: the glossary model, TSV, edits, lint, suggestion, finding German terms."""
