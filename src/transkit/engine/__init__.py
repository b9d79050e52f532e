"""Translation engines: a batch of sentences in, n-best hypotheses out."""
