"""Test doubles that must be importable by name in spawned worker processes (pool initializers).

:func:`thread_sensitive_forward` makes :class:`policytext.embed.Embedder` behave
as bfloat16 does on a CPU with AMX: its vectors then depend on how many torch
threads the process runs with, by far more than the rounding of the scores.  A
determinism test that scores the same corpus with one worker (the process's
default threads) and with two (one thread each) fails under this double
unless the embedder pins the threads of its forward pass.
"""

from __future__ import annotations

import numpy as np

from policytext.embed import Embedder

_ORIGINAL_FORWARD = Embedder._forward


def _thread_sensitive(self: Embedder, texts: list[str]) -> np.ndarray:
    import torch

    vecs = _ORIGINAL_FORWARD(self, texts)
    # A shift that grows with the thread count, in a direction that depends on the text.
    seed = [sum(map(ord, t)) % 997 for t in texts]
    noise = np.stack([np.random.default_rng(s).standard_normal(vecs.shape[1]) for s in seed]).astype(np.float32)
    vecs = vecs + 0.05 * torch.get_num_threads() * noise / np.linalg.norm(noise, axis=1, keepdims=True)
    return vecs / np.linalg.norm(vecs, axis=1, keepdims=True)


def thread_sensitive_forward() -> None:
    """Install the double in this process (usable as a pool initializer)."""
    Embedder._forward = _thread_sensitive  # type: ignore[method-assign]


def restore_forward() -> None:
    Embedder._forward = _ORIGINAL_FORWARD  # type: ignore[method-assign]
