"""Language identification of document text (py3langid, BSD licence; deterministic)."""

from __future__ import annotations

from functools import lru_cache

__all__ = ["detect_language"]

_SAMPLE_CHARS = 20_000


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    # The model ships inside py3langid as a compressed numpy archive (no pickle).
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str, float]:
    """Return the ISO 639-1 code of ``text``'s language and a confidence in [0, 1].

    Only the first 20,000 characters are looked at.  Empty text gives ``("", 0.0)``.
    """
    sample = text[:_SAMPLE_CHARS]
    if not sample.strip():
        return "", 0.0
    lang, prob = _identifier().classify(sample)
    return str(lang), round(float(prob), 4)
