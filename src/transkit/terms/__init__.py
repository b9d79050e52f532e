"""Terminology: glossary model, TSV, edits, lint, term matching, enforcement, suggestion, QA."""
