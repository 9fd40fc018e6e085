"""Property-based fuzzing (hypothesis) of every reader, the segmenter and the loaders (issue 9).

Any exception other than a :class:`~policytext.errors.PolicytextError` is a
bug, and so is a Document that breaks an invariant (offsets match the text,
unique ids, monotonic pages: ``fuzz.targets.check_document``).  The budget is
``POLICYTEXT_FUZZ_EXAMPLES`` examples per target (default 150, about a minute
in all); ``python fuzz/run.py --seconds N`` fuzzes longer with atheris.  The
number of inputs tried per target is printed at the end of the module.
"""

from __future__ import annotations

import os
import sys
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO

sys.path.insert(0, str(REPO))
from fuzz.targets import docx_with_document_xml, run_target, seed_docx, seed_pdf  # noqa: E402

EXAMPLES = int(os.environ.get("POLICYTEXT_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not os.environ.get("POLICYTEXT_FUZZ_RANDOM"),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TRIED: Counter[str] = Counter()
REFUSED: Counter[str] = Counter()
CRASHED: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    yield
    lines = [f"  {name}: {TRIED[name]} inputs, {REFUSED[name]} refused with a PolicytextError, "
             f"{CRASHED[name]} crashes" for name in sorted(TRIED)]
    text = f"fuzz (hypothesis, {EXAMPLES} examples per strategy): {sum(TRIED.values())} inputs\n" + "\n".join(lines)
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():  # show the counts even without -s
        print("\n" + text)


def fuzz(name: str, data: bytes) -> None:
    TRIED[name] += 1
    try:
        accepted = run_target(name, data)
    except BaseException:
        CRASHED[name] += 1
        raise
    REFUSED[name] += not accepted


# Text from an alphabet rich in what the parsers react to.
MARKUP = st.sampled_from(
    list("aZ1 .!?-*_`#[]()<>/\"'|\n\t\r\u00ad\u00a0\u3002\u2026\u2022é") +
    ["e.g. ", "U.S. ", "http://x.", "www.", "**", "```", "\n\n", "# ", "- ", "1. ", "<p>", "</p>", "<div>",
     "<h2>", "<nav>", "<script>", "<br>", "&amp;", "&#0;", "<!--", "\x00", "\ufeff", "\udcff"]
)
TEXT = st.lists(MARKUP, max_size=60).map("".join)
TEXT_BYTES = st.one_of(
    TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")),
    TEXT.map(lambda t: t.encode("utf-8", "replace")),
    st.binary(max_size=300),
    TEXT.map(lambda t: t.encode("utf-16", "surrogatepass")),
)


def mutate(seed: bytes) -> st.SearchStrategy[bytes]:
    """The seed with a few bytes replaced, inserted, deleted or cut off."""

    @st.composite
    def mutated(draw) -> bytes:
        data = bytearray(seed)
        for _ in range(draw(st.integers(1, 4))):
            op = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
            i = draw(st.integers(0, max(len(data) - 1, 0)))
            if op == "flip" and data:
                data[i] = draw(st.integers(0, 255))
            elif op == "insert":
                data[i:i] = draw(st.sampled_from([b"0", b"9999999999", b" obj", b"<<", b">>", b"R", b"/Count 1e9",
                                                  b"\x00", b"PK\x03\x04", b"<w:p>", b"]"]))
            elif op == "delete":
                del data[i:i + draw(st.integers(1, 50))]
            else:
                del data[i:]
        return bytes(data)

    return mutated()


@pytest.mark.parametrize("name", ["txt", "md", "html"])
def test_fuzz_text_readers(name):
    @FUZZ
    @given(TEXT_BYTES)
    def run(data: bytes) -> None:
        fuzz(name, data)

    before = sum(TRIED.values())
    run()
    assert sum(TRIED.values()) > before and not CRASHED  # inputs were tried, none crashed


def test_fuzz_pdf():
    content = TEXT.map(lambda t: b"BT /F1 12 Tf 72 700 Td (" + t.encode("latin-1", "replace") + b") Tj ET")

    @FUZZ
    @given(st.one_of(mutate(seed_pdf()), content.map(seed_pdf),
                     st.integers(-5, 10**12).map(lambda n: seed_pdf(count=n))))
    def run(data: bytes) -> None:
        fuzz("pdf", data)

    before = sum(TRIED.values())
    run()
    assert sum(TRIED.values()) > before and not CRASHED  # inputs were tried, none crashed


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def word_xml(paragraphs: list[tuple[str, str]]) -> bytes:
    """A document.xml with the given (style, text) paragraphs; text XML-escaped."""
    from xml.sax.saxutils import escape

    body = "".join(f'<w:p><w:pPr><w:pStyle w:val="{escape(style)}"/></w:pPr><w:r><w:t xml:space="preserve">'
                   f"{escape(text)}</w:t></w:r></w:p>" for style, text in paragraphs)
    return f"<w:document {W}><w:body>{body}</w:body></w:document>".encode("utf-8", "replace")


def test_fuzz_docx():
    xml_text = st.lists(st.tuples(st.sampled_from(["Heading1", "Title", "Normal", "Missing", ""]),
                                  TEXT.map(lambda t: "".join(c for c in t if c.isprintable() or c in "\n\t"))),
                        max_size=5)

    @FUZZ
    @given(st.one_of(mutate(seed_docx()), xml_text.map(lambda p: docx_with_document_xml(word_xml(p))),
                     TEXT.map(lambda t: docx_with_document_xml(t.encode("utf-8", "replace")))))
    def run(data: bytes) -> None:
        fuzz("docx", data)

    before = sum(TRIED.values())
    run()
    assert sum(TRIED.values()) > before and not CRASHED  # inputs were tried, none crashed


def test_fuzz_segmenter():
    @FUZZ
    @given(TEXT_BYTES)
    def run(data: bytes) -> None:
        fuzz("split_sentences", data)
        fuzz("build_document", data)
        fuzz("build_document", b"p" + data)

    before = sum(TRIED.values())
    run()
    assert sum(TRIED.values()) > before and not CRASHED  # inputs were tried, none crashed


CELL = st.sampled_from(["a", "b", "c", "a.txt", "sub/b.md", "c.html", "../outside.txt", "/etc/passwd", "link.txt",
                        "sub", ".", "", " ", "x,y", '"q"', "\u00e9", "a.TXT", "sub/../a.txt", "nul\x00"])


@st.composite
def manifests(draw) -> bytes:
    header = draw(st.one_of(
        st.just(["id", "title", "path"]),
        st.lists(st.sampled_from(["id", "title", "path", "file", "language", "date", "x"]), min_size=1, max_size=5),
    ))
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=len(header) + 1), max_size=6))
    text = "\n".join(",".join(r) for r in [header, *rows])
    return text.encode("utf-8", "surrogatepass")


def test_fuzz_manifest_and_corpus():
    @FUZZ
    @given(st.one_of(manifests(), TEXT_BYTES))
    def run(data: bytes) -> None:
        fuzz("manifest", data)
        fuzz("corpus", data)

    before = sum(TRIED.values())
    run()
    assert sum(TRIED.values()) > before and not CRASHED  # inputs were tried, none crashed


YAML_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), TEXT,
                        st.sampled_from(["ai", "(", "[a-", "AI", "x" * 3, "Ai", "1a", "a b", "themes"]))
YAML_VALUE = st.recursive(YAML_SCALAR, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.one_of(YAML_SCALAR, st.sampled_from(
        ["label", "group", "definition", "cues", "examples", "id", "themes", "version", "name"])), inner, max_size=4)),
    max_leaves=12)


def test_fuzz_taxonomy():
    import yaml

    theme = st.fixed_dictionaries({}, optional={
        "label": YAML_SCALAR, "group": YAML_SCALAR, "definition": YAML_SCALAR,
        "cues": st.lists(st.one_of(TEXT, st.sampled_from(["AI", "(", "a{2,}", "(?i)x", "\\b"])), max_size=3),
        "examples": st.lists(TEXT, max_size=2)})
    taxonomies = st.fixed_dictionaries(
        {"themes": st.dictionaries(st.sampled_from(["ai", "data", "cyber_2", "Bad", "1x", "a b"]), theme, max_size=4)},
        optional={"version": YAML_SCALAR, "name": YAML_SCALAR})
    documents = st.one_of(
        taxonomies.map(lambda v: yaml.safe_dump(v).encode("utf-8", "surrogatepass")),
        YAML_VALUE.map(lambda v: yaml.safe_dump(v).encode("utf-8", "surrogatepass")),
        st.dictionaries(st.sampled_from(["version", "name", "themes", "description"]), YAML_VALUE, max_size=3)
        .map(lambda v: yaml.safe_dump(v).encode("utf-8", "surrogatepass")),
        TEXT_BYTES,
        st.sampled_from([b"a: &a [*a]\n", b"!!python/object/apply:os.system ['true']\n", b"themes: {ai: {cues: [\n",
                         b"a: &x [1]\nb: [*x, *x, *x]\n" * 3]),
    )

    @FUZZ
    @given(documents)
    def run(data: bytes) -> None:
        fuzz("taxonomy", data)

    before = sum(TRIED.values())
    run()
    assert sum(TRIED.values()) > before and not CRASHED  # inputs were tried, none crashed


# --------------------------------------------------------------------------- regressions found by fuzzing


def test_issue9_taxonomy_unhashable_yaml_key(tmp_path):
    """A list or mapping used as a YAML key ("? [a]") raised TypeError from the duplicate-key check."""
    from policytext.errors import TaxonomyError
    from policytext.taxonomy import load_taxonomy

    for text in ("?\n-", "? [a, b]\n: 1\n", "themes:\n  ? {a: 1}\n  : {cues: [x]}\n"):
        path = tmp_path / "t.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(TaxonomyError, match="not valid YAML"):
            load_taxonomy(path)
