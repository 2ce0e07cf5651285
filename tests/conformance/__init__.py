"""The language-neutral conformance suite: JSON cases, their generator, the oracle glue and the runner."""
