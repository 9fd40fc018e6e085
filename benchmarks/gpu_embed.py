"""Embedding throughput on a GPU (run by hand on a machine with CUDA).

    python benchmarks/gpu_embed.py MODEL_FOLDER [--n 50000]

Encodes ``n`` distinct sentences (the demo corpus's sentences, numbered so
that none repeats) through :class:`policytext.embed.Embedder` with
``device="cuda"`` (fp32, cache off), then the same sentence-transformers model
cast to bf16, and prints sentences/s for each and the cosine between them.
The CPU figures are in ``bench_pipeline.py``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model", help="sentence-transformers model folder")
    parser.add_argument("--n", type=int, default=50_000)
    args = parser.parse_args()

    import torch

    from policytext.embed import Embedder
    from policytext.segment import split_sentences

    # Plain text of the demo corpus (no readers needed: the GPU machine may lack their packages).
    demo = Path(__file__).resolve().parents[1] / "corpora" / "demo"
    paragraphs = [p for f in sorted(demo.glob("*.txt")) + sorted(demo.glob("*.md"))
                  for p in f.read_text(encoding="utf-8").split("\n\n") if len(p.split()) > 8]
    base = [p[a:b] for p in paragraphs for a, b in split_sentences(p)]
    texts = [f"{base[i % len(base)]} ({i})" for i in range(args.n)]
    print(f"device: {torch.cuda.get_device_name(0)}; {len(texts)} sentences, "
          f"{sum(len(t.split()) for t in texts) / len(texts):.1f} words each")

    emb = Embedder(args.model, device="cuda", cache=False, batch_size=512)
    emb.encode(texts[:2048])  # warm-up: load, kernels
    torch.cuda.synchronize()
    t = time.perf_counter()
    fp32 = emb.encode(texts)
    torch.cuda.synchronize()
    s32 = time.perf_counter() - t
    print(f"Embedder(device='cuda') fp32: {len(texts) / s32:,.0f} sentences/s ({s32:.2f} s)")

    model = emb._model.to(torch.bfloat16)
    model.encode(texts[:2048], batch_size=512)
    torch.cuda.synchronize()
    t = time.perf_counter()
    bf16 = model.encode(texts, batch_size=512, convert_to_numpy=True, normalize_embeddings=True)
    torch.cuda.synchronize()
    s16 = time.perf_counter() - t
    cos = (fp32 * bf16.astype(np.float32)).sum(axis=1)
    print(f"bf16: {len(texts) / s16:,.0f} sentences/s ({s16:.2f} s); cosine to fp32 min {cos.min():.5f} "
          f"mean {cos.mean():.5f}")


if __name__ == "__main__":
    main()
