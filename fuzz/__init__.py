"""Fuzzing of the readers, segmenter and loaders (see ``fuzz/run.py`` and ``tests/test_fuzz.py``)."""
