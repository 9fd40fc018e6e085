"""Embedding precision: float32 by default here, bfloat16 where the CPU has AMX, stored apart."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from policytext import embed
from policytext.batch import AnalyzerSpec, score_corpus
from policytext.cli import app
from policytext.embed import Embedder, cpu_has_amx_bf16, resolve_precision

EU, PARTNER = "eu-digital-strategy", "veloria-eu-joint-statement"
SAPPHIRE_RAPIDS_FLAGS = "flags\t\t: fpu sse2 avx2 avx512f avx512_bf16 amx_bf16 amx_tile amx_int8\n"


def test_amx_flag_is_read_from_cpuinfo(tmp_path):
    amx, avx2 = tmp_path / "amx", tmp_path / "avx2"
    amx.write_text("processor\t: 0\n" + SAPPHIRE_RAPIDS_FLAGS)
    avx2.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 fma avx512_bf16\n")
    assert cpu_has_amx_bf16(amx)
    assert not cpu_has_amx_bf16(avx2)  # AVX-512 BF16 without AMX: no
    assert not cpu_has_amx_bf16(tmp_path / "missing")


def test_auto_precision_follows_the_cpu_and_the_device(monkeypatch):
    monkeypatch.setattr(embed, "cpu_has_amx_bf16", lambda: False)
    assert resolve_precision("auto", "cpu") == "fp32"
    assert resolve_precision("bf16", "cpu") == "bf16"  # asked for: emulated, slow, but honoured
    monkeypatch.setattr(embed, "cpu_has_amx_bf16", lambda: True)
    assert resolve_precision("auto", "cpu") == "bf16"
    assert resolve_precision("auto", "cuda") == "fp32"
    assert resolve_precision("fp32", "cpu") == "fp32"
    with pytest.raises(ValueError, match="precision must be one of auto, fp32, bf16"):
        resolve_precision("int8")
    with pytest.raises(ValueError, match="precision"):
        AnalyzerSpec(precision="fp16")
    with pytest.raises(ValueError, match="precision"):
        Embedder(precision="fp8")  # refused when made, before any model loads


def test_precision_enters_the_fingerprint_only_when_not_float32(monkeypatch):
    monkeypatch.setattr(embed, "cpu_has_amx_bf16", lambda: False)
    auto, fp32, bf16 = AnalyzerSpec(), AnalyzerSpec(precision="fp32"), AnalyzerSpec(precision="bf16")
    assert auto.fingerprint() == fp32.fingerprint()  # stores written before the option keep their keys
    assert bf16.fingerprint() != fp32.fingerprint()
    assert bf16.describe()["embedding_precision"] == "bf16"
    assert "embedding_precision" not in fp32.describe()
    # the multilingual backend (USE, numpy) has no precision setting
    assert bf16.fingerprint("multilingual") == fp32.fingerprint("multilingual")
    monkeypatch.setattr(embed, "cpu_has_amx_bf16", lambda: True)
    resolved = AnalyzerSpec(device="cpu").resolved()
    assert resolved.precision == "bf16"  # what the run's workers receive: no "auto" left to decide
    assert resolved.fingerprint() == bf16.fingerprint()


def test_cli_rejects_an_unknown_precision(tmp_path, demo_dir):
    result = CliRunner().invoke(app, ["score", str(demo_dir), "--eu", EU, "--store", str(tmp_path / "s.duckdb"),
                                      "--precision", "int8"])
    assert result.exit_code == 2
    assert "--precision must be one of auto, fp32, bf16" in result.output


@pytest.mark.slow
def test_bf16_vectors_are_close_to_float32_and_cached_apart(tmp_path):
    texts = ["The Union will deploy secure submarine cables with its partners by 2027.",
             "Both sides intend to cooperate on trustworthy artificial intelligence.",
             "Children must be protected online.", "Annex"]
    cache = tmp_path / "embeddings.sqlite"
    fp32 = Embedder(precision="fp32", cache=cache).encode(texts)
    bf16 = Embedder(precision="bf16", cache=cache).encode(texts)  # same cache file: must not get fp32's vectors
    assert not np.array_equal(fp32, bf16)
    cosines = (fp32 * bf16).sum(axis=1)
    assert cosines.min() > 0.9999, cosines
    np.testing.assert_allclose(np.linalg.norm(bf16, axis=1), 1.0, atol=1e-5)
    assert bf16.dtype == np.float32
    # each precision finds its own entries again
    np.testing.assert_array_equal(Embedder(precision="bf16", cache=cache).encode(texts), bf16)
    np.testing.assert_array_equal(Embedder(precision="fp32", cache=cache).encode(texts), fp32)
    # and results say which precision produced them
    from policytext.pipeline import Analyzer

    assert Analyzer(embedder=Embedder(precision="bf16")).models_for("default")["embedding_precision"] == "bf16"
    assert "embedding_precision" not in Analyzer(embedder=Embedder(precision="fp32")).models_for("default")


@pytest.mark.slow
def test_bf16_run_is_stored_apart_and_scores_close_to_float32(tmp_path, demo_dir):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rows = (demo_dir / "manifest.csv").read_text(encoding="utf-8").splitlines()
    keep = [rows[0]] + [r for r in rows[1:] if r.split(",", 1)[0] in (EU, PARTNER)]
    for row in keep[1:]:
        shutil.copy(demo_dir / row.rsplit(",", 1)[1], corpus)
    (corpus / "manifest.csv").write_text("\n".join(keep) + "\n", encoding="utf-8")
    store = tmp_path / "store.duckdb"

    def run(precision: str):
        return score_corpus(corpus, eu=EU, store=store, spec=AnalyzerSpec(precision=precision, device="cpu"),
                            progress=False)

    fp32 = run("fp32")
    bf16 = run("bf16")
    assert bf16.counts["analysed"] == 1 and bf16.counts["skipped"] == 0  # not served from the fp32 analyses
    assert run("fp32").counts["skipped"] == 1  # the fp32 analyses are still there
    a = fp32.summary.set_index("doc_id").loc[PARTNER]
    b = bf16.summary.set_index("doc_id").loc[PARTNER]
    assert abs(a["overall"] - b["overall"]) < 0.5, (a["overall"], b["overall"])  # measured: 0.01
    themes = fp32.scores.merge(bf16.scores, on=["doc_id", "theme"], suffixes=("_32", "_16"))
    scored = themes.dropna(subset=["score_32", "score_16"])
    assert len(scored) > 0
    assert (scored["score_32"] - scored["score_16"]).abs().max() < 1.5  # measured: 0.08 at most (demo corpus)


# --------------------------------------------------------------------------- a text's vector depends on the text alone

TEXTS = ["The Union will deploy secure submarine cables with its partners by 2027.",
         "Both sides intend to cooperate on trustworthy artificial intelligence.",
         "Children must be protected online.", "Annex",
         "Partners commit to protect children online.",  # as many tokens as the third: one length bucket
         "We will work together on digital identity, data flows and cybersecurity, and report by the next Council."]


def _vectors_alone_and_together(precision: str) -> tuple[np.ndarray, list[np.ndarray]]:
    import torch

    alone = np.stack([Embedder(precision=precision, cache=False).encode([t])[0] for t in TEXTS])
    before = torch.get_num_threads()
    runs = []
    try:
        for threads, batch_size, order in ((1, 64, 1), (2, 2, -1), (2, 1, 1)):
            torch.set_num_threads(threads)  # the process's threads: must not matter
            emb = Embedder(precision=precision, cache=False, batch_size=batch_size)
            out = emb.encode(TEXTS[::order] + ["An unrelated neighbour sentence of some length."])[:-1]
            runs.append(out[::order])
            assert torch.get_num_threads() == threads  # the forward pass restores the process's count
    finally:
        torch.set_num_threads(before)
    return alone, runs


@pytest.mark.slow
def test_a_texts_vector_is_the_same_alone_or_with_others_in_this_cpus_precision():
    """Bit for bit, with the precision this CPU picks (float32 on AVX2, bfloat16 on AMX)."""
    alone, runs = _vectors_alone_and_together(resolve_precision("auto", "cpu"))
    for run in runs:
        np.testing.assert_array_equal(run, alone)


@pytest.mark.slow
def test_a_texts_vector_is_the_same_alone_or_with_others_in_bf16():
    """The same with bfloat16 forced (emulated, slow, where the CPU has no AMX)."""
    alone, runs = _vectors_alone_and_together("bf16")
    for run in runs:
        np.testing.assert_array_equal(run, alone)


def test_length_buckets_group_equal_lengths_shortest_first():
    assert list(embed.length_buckets([5, 3, 5, 5, 3, 9], 2)) == [[1, 4], [0, 2], [3], [5]]
    with pytest.raises(ValueError, match="batch_size"):
        list(embed.length_buckets([1], 0))


class _ShapeSensitiveModel:
    """A stand-in for a sentence-transformers model whose output depends on the batch it is in and the threads."""

    device = type("D", (), {"type": "cpu"})()
    max_seq_length = 16

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def tokenizer(self, texts, truncation, max_length):
        return {"input_ids": [list(range(min(len(t.split()) + 2, max_length))) for t in texts]}

    def get_embedding_dimension(self) -> int:
        return 4

    def encode(self, texts, batch_size, convert_to_tensor, normalize_embeddings, show_progress_bar):
        import torch

        lengths = {len(t.split()) for t in texts}
        self.calls.append((len(texts), torch.get_num_threads()))
        rows = [[len(t), 1.0, 0.001 * len(texts) * (len(lengths) > 1) + 0.001 * (len(texts) == 1),
                 0.001 * torch.get_num_threads()] for t in texts]
        return torch.tensor(rows, dtype=torch.float32)


def test_forward_passes_see_one_length_at_least_two_rows_and_one_thread():
    """The discipline itself, checked with a model that would betray a break of it in its output."""
    import torch

    emb = Embedder(precision="fp32", cache=False)
    emb.__dict__["_model"] = model = _ShapeSensitiveModel()
    texts = ["a b", "c d", "e f g", "h", "i j"]
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        together = emb.encode(texts)
        alone = np.stack([emb.encode([t])[0] for t in texts])
    finally:
        torch.set_num_threads(before)
    np.testing.assert_array_equal(together, alone)
    assert all(rows >= 2 and threads == embed.FORWARD_THREADS for rows, threads in model.calls)


@pytest.mark.parametrize("backend", ["default", "multilingual"])
def test_the_fingerprint_covers_the_real_rule_and_model_files(backend):
    """Every checksum in a backend's description is of files that exist (a moved module must not empty them)."""
    import hashlib

    empty = hashlib.sha256().hexdigest()
    desc = AnalyzerSpec(precision="fp32").describe(backend)
    sums = {"patterns": desc["patterns_sha256"], "taxonomy": desc["taxonomy_sha256"], "themes": desc["themes"]["sha256"]}
    assert empty not in sums.values(), sums
    assert Path(desc["themes"]["path"]).is_dir()
