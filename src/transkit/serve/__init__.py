"""HTTP adapters over the library: the LibreTranslate and DeepL APIs.

Nothing in the library imports this package; it calls the library's one
batch step (`transkit.batch.translate_segments`) like every other way of
running.
"""
