"""The distributed executor: corpora spread over a Ray cluster.

It sits above the pipeline's pure translate-and-enforce step
(`transkit.batch.translate_segments`), which each worker calls on its batch.
The local run needs nothing from here, and nothing here is imported unless
``--cluster`` is asked for.
"""
