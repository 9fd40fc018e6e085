"""Follow-up tracker: deadlines, links to later reports, statuses (hand-built analyses: no models)."""

from __future__ import annotations

import numpy as np
import pytest

from policytext.alignment import Unit
from policytext.followup import deadline_kind, link_status, track, tracked_frame
from policytext.records import Analysis, Commitment, DocumentMeta


@pytest.mark.parametrize("phrase, year, kind", [
    ("by the next U.S.-EU TTC Ministerial", 2023, "event"),
    ("ahead of the next TTC Meeting", 2021, "event"),
    ("before the end of 2023", 2023, "date"),
    ("by 2030", 2023, "date"),
    ("in the coming months", 2023, "period"),
    ("within six months", 2023, "period"),
    ("in May 2009", 2021, None),          # a reference to the past
    ("in 2023", 2023, None),              # when something happens, not a deadline
    ("in 2025", 2023, "date"),            # a later year is one
    ("", 2023, None),
])
def test_deadline_kind(phrase, year, kind):
    assert deadline_kind(phrase, year) == kind


@pytest.mark.parametrize("text, committed, status", [
    ("We have launched the transatlantic mapping of digital identity resources.", False, "done"),
    ("The first Roundtable was held in Brussels in March.", False, "done"),
    ("We welcome the publication of the joint guidance for platforms.", False, "done"),
    ("We continue to work on the mapping of digital identity resources.", False, "in progress"),
    ("Work on the early warning mechanism has begun.", False, "in progress"),
    ("We will develop a mapping of digital identity resources.", True, "renewed"),
    ("Digital identity resources matter to both sides.", False, "mentioned"),
])
def test_link_status(text, committed, status):
    assert link_status(text, committed) == status


def _analysis(doc_id: str, date: str, sentences: list[tuple[str, list[float], str, str]]) -> Analysis:
    """sentences: (text, vector, speaker, deadline or '-' for no commitment)."""
    vecs = np.asarray([v for _, v, _, _ in sentences], dtype=np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    units, commitments = [], []
    for i, (text, _, speaker, deadline) in enumerate(sentences):
        sid = f"{doc_id}:s{i}"
        is_c = deadline != "-"
        units.append(Unit(segment_id=sid, doc_id=doc_id, text=text, page=None, paragraph=i, start=0, end=len(text),
                          commitment=is_c, strength="firm" if is_c else None, speaker=speaker))
        if is_c:
            commitments.append(Commitment(commitment_id=f"{sid}:c", doc_id=doc_id, segment_id=sid, text=text, start=0,
                                          end=len(text), actor="joint", strength="firm", deadline=deadline,
                                          paragraph=i))
    return Analysis(doc_id=doc_id, units=tuple(units), vectors=vecs, theme_scores=np.zeros((len(units), 1)),
                    themes=("x",), thresholds=np.array([0.5]), commitments=tuple(commitments),
                    meta=DocumentMeta(doc_id=doc_id, title=doc_id, date=date, partner="P"))


MAPPING = "By the next Ministerial, we intend to develop a mapping of digital identity resources and use cases."
EARLY = [
    (MAPPING, [1, 0, 0, 0], "joint", "By the next Ministerial"),
    ("We will cooperate on semiconductor supply chains.", [0, 1, 0, 0], "joint", ""),  # no deadline
    ("The EU will fund secure connectivity by 2030.", [0, 0, 1, 0], "EU", "by 2030"),  # the EU's own line
]
LATER = [
    ("We have completed the mapping of digital identity resources and use cases.", [0.95, 0.05, 0, 0.1], "joint", "-"),
    ("Digital identity wallets are a priority for mapping resources.", [0.1, 0, 0, 1], "joint", "-"),  # far in meaning
    ("Semiconductor supply chains remain a priority.", [0, 1, 0, 0], "joint", "-"),
]


def test_track_links_a_later_report_and_reads_its_status():
    early, later = _analysis("ttc-1", "2021-09-29", EARLY), _analysis("ttc-2", "2023-05-31", LATER)
    tracked = track([later, early])  # any order: by date
    assert [t.commitment.text for t in tracked] == [MAPPING]  # the EU's own line and the undated one left out
    t = tracked[0]
    assert t.due == "event" and t.status == "done" and t.later_documents == ("ttc-2",)
    assert [lk.segment_id for lk in t.links] == ["ttc-2:s0"]  # the far sentence is not a report
    assert t.links[0].anchor == "ttc-2, para. 1"
    every = track([early, later], deadlines_only=False)
    semis = next(t for t in every if "semiconductor" in t.commitment.text)
    assert semis.due == "" and semis.status == "mentioned"


def test_track_says_silent_or_no_later_document():
    early = _analysis("ttc-1", "2021-09-29", EARLY)
    unrelated = _analysis("ttc-2", "2023-05-31", [("Quantum research grows.", [0, 0, 0, 1], "joint", "-")])
    assert track([early, unrelated])[0].status == "silent"
    assert track([early])[0].status == "no later document"
    undated = _analysis("ttc-0", "", EARLY)
    assert track([undated]) == []  # order unknown: neither followed up nor a report


def test_tracked_frame_long_and_short():
    early, later = _analysis("ttc-1", "2021-09-29", EARLY), _analysis("ttc-2", "2023-05-31", LATER)
    short = tracked_frame(track([early, later]))
    assert list(short[["status", "link_status", "link_anchor"]].iloc[0]) == ["done", "done", "ttc-2, para. 1"]
    none = tracked_frame(track([early]), long=True)
    assert len(none) == 1 and none["link_sentence"].iloc[0] == "" and none["status"].iloc[0] == "no later document"
    empty = tracked_frame([])
    assert empty.empty and "link_sentence" in empty.columns


def test_track_refuses_vectors_of_two_spaces():
    early = _analysis("ttc-1", "2021-09-29", EARLY)
    other = _analysis("ttc-2", "2023-05-31", [("x y z", [1, 0, 0, 0, 0], "joint", "-")])
    with pytest.raises(ValueError, match="different spaces"):
        track([early, other])


def test_a_future_perfect_is_a_promise_not_a_report():
    assert link_status("By the end of 2023, we expect to have developed joint policy recommendations.", True) == "renewed"
    assert link_status("We will have completed the mapping by then.", True) == "renewed"
    assert link_status("The partners have developed joint policy recommendations.", False) == "done"


@pytest.mark.parametrize("text, committed, status", [
    ("The partners are coordinating engagements with third countries on export restrictions.", True, "in progress"),
    ("The partners have accelerated cooperation on a common vision for 6G research.", False, "in progress"),
    ("The partners continued exchanges on investment trends.", False, "in progress"),
    ("The groups have (i) issued a list of 65 key AI terms.", False, "done"),
    ("The initiative launched at the third Ministerial offers a pathway for dialogue.", False, "done"),
    ("The partners reiterate the importance of robust investment screening.", True, "mentioned"),
    ("The partners recall that export controls remain a key tool.", True, "mentioned"),
    ("We are committed to working together on standards.", True, "renewed"),
])
def test_link_status_classes(text, committed, status):
    assert link_status(text, committed) == status
