"""Glossary enforcement on the engine's English, one module per stage (driver: `stages`)."""
