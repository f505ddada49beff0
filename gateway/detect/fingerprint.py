"""Text fingerprints for the document registry: normalisation, winnowing, and the in-memory index.

Pure and deterministic: no database, no I/O. The store turns registered
documents into `IndexedDocument`s and builds a `DocumentIndex`; the
detector fingerprints what a message carries and asks the index which
registered documents it contains, and how much of each.

Why winnowing (Schleimer, Wilkerson and Aiken, 2003) rather than MinHash:
the question is *containment* ("does this attachment contain a substantial
part of a registered document?"), not similarity. MinHash estimates the
Jaccard similarity of whole sets, which is small when three paragraphs of a
40-page guide are pasted into an email; LSH Ensemble can estimate
containment but still gives no positions. Winnowing keeps the minimum hash
of every window of `WINDOW` consecutive word `K`-grams, which guarantees that
any shared run of at least WINDOW + K - 1 words shares a fingerprint, keeps
positions (so we can count how many words of the message are covered, and
in which runs), and gives an exact share: matched fingerprints of a
document over all of its fingerprints. An inverted index (fingerprint ->
documents) held as two sorted numpy arrays answers a look-up with one
binary search per fingerprint, whatever the size of the registry.

Normalisation makes conversions and light edits invisible: Unicode NFKC,
case folding, accents removed, hyphenated line breaks joined, punctuation,
quotes, dashes, bullets and whitespace dropped (words only). A DOCX and
the PDF printed from it therefore give the same word sequence, apart from
page headers and footers, which only break the few K-grams around them.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

#: words per shingle; 5 words are rare enough to be specific, short enough to survive light edits
K = 5
#: winnowing window; any shared run of WINDOW + K - 1 = 9 words is guaranteed a common fingerprint
WINDOW = 5
#: stored with every registered document: fingerprints made with other settings are not comparable
ALGORITHM = f"winnow-words-k{K}-w{WINDOW}-blake2b64-v1"
#: fingerprints found in more registered documents than this are template boilerplate: not indexed
MAX_POSTINGS = 50

_HYPHEN_BREAK = re.compile(r"(\w)[-\u00ad\u2010]\s*\n\s*(\w)")
_WORD = re.compile(r"[^\W_]+")
# combining accents, and the invisible characters (soft hyphen, zero-width space/joiners, BOM) that
# would otherwise split a word in two
_COMBINING = re.compile(
    r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u00ad\u200b-\u200f\u2060\ufeff]"
)
_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TOKEN_CACHE: dict[str, int] = {}
_TOKEN_CACHE_MAX = 500_000


def normalise(text: str) -> str:
    """Text as the fingerprints see it: lower-case words separated by single spaces."""
    return " ".join(tokens(text))


def tokens(text: str) -> list[str]:
    """The words of `text` after normalisation (see the module docstring)."""
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    if text.isascii():
        return _WORD.findall(text.lower())
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return _WORD.findall(_COMBINING.sub("", text))


def _token_hash(word: str) -> int:
    h = _TOKEN_CACHE.get(word)
    if h is None:
        h = int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")
        if len(_TOKEN_CACHE) >= _TOKEN_CACHE_MAX:
            _TOKEN_CACHE.clear()
        _TOKEN_CACHE[word] = h
    return h


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads K-gram sums so that window minima are unbiased."""
    x = x ^ (x >> np.uint64(30))
    x = x * _MIX1
    x = x ^ (x >> np.uint64(27))
    x = x * _MIX2
    return x ^ (x >> np.uint64(31))


def shingle_hashes(words: Sequence[str], k: int = K) -> np.ndarray:
    """One 64-bit hash per run of k consecutive words (empty when there are fewer than k)."""
    n = len(words) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    th = np.fromiter((_token_hash(w) for w in words), dtype=np.uint64, count=len(words))
    acc = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(k):
            # rotate each position differently so that word order matters
            rot = np.uint64((13 * i) % 64)
            part = th[i : i + n]
            if rot:
                part = (part << rot) | (part >> (np.uint64(64) - rot))
            acc = acc * np.uint64(0x100000001B3) + part
        return _mix(acc)


@dataclass(frozen=True)
class Fingerprints:
    """The winnowed fingerprints of one text, with where each starts (a word index)."""

    hashes: np.ndarray  # uint64, one per selected K-gram (values may repeat)
    positions: np.ndarray  # int64, index of the first word of that K-gram
    words: int  # how many words the text has
    k: int = K

    @property
    def unique(self) -> np.ndarray:
        """Sorted distinct fingerprint values."""
        return np.unique(self.hashes)


def fingerprint(text: str, *, k: int = K, window: int = WINDOW) -> Fingerprints:
    """Winnowed fingerprints of `text` (robust winnowing: the rightmost minimum of each window)."""
    words = tokens(text)
    return fingerprint_words(words, k=k, window=window)


def fingerprint_words(words: Sequence[str], *, k: int = K, window: int = WINDOW) -> Fingerprints:
    h = shingle_hashes(words, k)
    if h.size == 0:
        empty = np.zeros(0, dtype=np.uint64)
        return Fingerprints(empty, np.zeros(0, dtype=np.int64), len(words), k)
    if h.size <= window:
        pos = np.array([h.size - 1 - int(np.argmin(h[::-1]))], dtype=np.int64)
    else:
        views = np.lib.stride_tricks.sliding_window_view(h, window)
        # argmin over the reversed window finds the rightmost minimum
        offsets = window - 1 - np.argmin(views[:, ::-1], axis=1)
        pos = np.unique(np.arange(views.shape[0], dtype=np.int64) + offsets)
    return Fingerprints(h[pos], pos, len(words), k)


def to_bytes(hashes: np.ndarray) -> bytes:
    """Fingerprint values as stored in the registry (little-endian 64-bit)."""
    return np.ascontiguousarray(hashes, dtype="<u8").tobytes()


def from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u8").astype(np.uint64)


# --- the index ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexedDocument:
    """A registered document as the index needs it: its id, a title to show, and its fingerprints."""

    id: int
    title: str
    hashes: np.ndarray  # distinct uint64 fingerprint values
    words: int
    classification: str = ""


@dataclass(frozen=True)
class DocumentMatch:
    """How much of one registered document a text contains."""

    doc_id: int
    title: str
    classification: str
    share: float  # of the document's fingerprints found, weighted against boilerplate (0..1)
    raw_share: float  # of the document's fingerprints found, unweighted
    matched_words: int  # words of the text covered by runs of at least `min_run` matched words
    text_share: float  # matched_words over the words of the text
    doc_words: int


@dataclass(frozen=True)
class MatchRules:
    """When a text counts as containing a registered document."""

    min_share: float = 0.2  # share of the document: a copy, or a large part of it
    min_words: int = 60  # words in matched runs: "a few paragraphs", never a common phrase
    min_text_share: float = 0.3  # an excerpt of min_words must be this much of the text it sits in...
    long_excerpt_words: int = 240  # ...unless it is at least this long
    min_run: int = 12  # matched runs shorter than this (a quoted sentence, a stock phrase) do not count
    short_doc_share: float = 0.6  # for documents shorter than min_words: share of their words needed
    max_results: int = 5


@dataclass
class DocumentIndex:
    """Fingerprint -> registered documents, as two sorted arrays; built once, read by every look-up."""

    documents: list[IndexedDocument] = field(default_factory=list)
    version: object = None  # whatever the loader uses to tell registries apart

    def __post_init__(self) -> None:
        docs = self.documents
        sizes = np.array([d.hashes.size for d in docs], dtype=np.int64)
        all_h = (
            np.concatenate([d.hashes for d in docs]).astype(np.uint64)
            if docs
            else np.zeros(0, dtype=np.uint64)
        )
        all_d = np.repeat(np.arange(len(docs), dtype=np.int32), sizes)
        order = np.argsort(all_h, kind="stable")
        h, d = all_h[order], all_d[order]
        # document frequency of each fingerprint: boilerplate shared by many documents weighs little
        if h.size:
            starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
            counts = np.diff(np.r_[starts, h.size])
            df = np.repeat(counts, counts)
        else:
            df = np.zeros(0, dtype=np.int64)
        weights = (1.0 / np.maximum(df, 1)).astype(np.float32)
        self._total_weight = np.bincount(d, weights=weights, minlength=len(docs)).astype(np.float64)
        self._sizes = np.maximum(sizes, 1)
        keep = df <= MAX_POSTINGS
        self._h = h[keep]
        self._d = d[keep]
        self._w = weights[keep]

    @property
    def size(self) -> int:
        return len(self.documents)

    @property
    def postings(self) -> int:
        return int(self._h.size)

    def match(self, fp: Fingerprints, rules: MatchRules | None = None) -> list[DocumentMatch]:
        """The registered documents `fp` contains, best first.

        Greedy attribution: the best document claims the fingerprints it
        explains, and the next is judged only on what is left, so a copy of
        one document is not also reported as every other document that
        shares its template.
        """
        rules = rules or MatchRules()
        if not self.documents or fp.hashes.size == 0:
            return []
        q, inverse = np.unique(fp.hashes, return_inverse=True)
        lo = np.searchsorted(self._h, q, side="left")
        hi = np.searchsorted(self._h, q, side="right")
        counts = hi - lo
        if not counts.any():
            return []
        qidx = np.repeat(np.arange(q.size), counts)
        # posting indices: lo[i], lo[i]+1, ..., hi[i]-1 for every query fingerprint i
        starts = np.repeat(lo - (np.cumsum(counts) - counts), counts)
        post = np.arange(int(counts.sum())) + starts
        pdoc = self._d[post]
        pw = self._w[post]
        raw_hits = np.bincount(pdoc, minlength=self.size)
        # a document can only be judged a match if its hits could cover a run of min_run words
        cands = np.flatnonzero(raw_hits * K >= rules.min_run)
        if cands.size == 0:
            return []
        weight_hits = np.bincount(pdoc, weights=pw, minlength=self.size)
        cands = cands[np.argsort(-weight_hits[cands] / self._total_weight[cands], kind="stable")][:50]
        order = np.argsort(pdoc, kind="stable")
        sorted_docs = pdoc[order]
        hits_of: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for cand in cands:
            a, b = np.searchsorted(sorted_docs, [cand, cand + 1])
            sel = order[a:b]
            hits_of[int(cand)] = (qidx[sel], pw[sel])

        claimed = np.zeros(q.size, dtype=bool)
        out: list[DocumentMatch] = []
        while len(out) < rules.max_results:
            best: DocumentMatch | None = None
            best_q: np.ndarray | None = None
            for c, (qi, w) in hits_of.items():
                free = ~claimed[qi]
                if not free.any():
                    continue
                m = self._judge(c, fp, inverse, q.size, qi[free], w[free], rules)
                if m is not None and (
                    best is None or (m.share, m.matched_words) > (best.share, best.matched_words)
                ):
                    best, best_q = m, qi
            if best is None or best_q is None:
                break
            out.append(best)
            claimed[best_q] = True
        return out

    def _judge(
        self,
        c: int,
        fp: Fingerprints,
        inverse: np.ndarray,
        nq: int,
        qi: np.ndarray,
        w: np.ndarray,
        rules: MatchRules,
    ) -> DocumentMatch | None:
        doc = self.documents[c]
        need = min(rules.min_words, max(rules.min_run, int(rules.short_doc_share * doc.words)))
        if qi.size * fp.k < need:  # cannot cover enough words, whatever their positions
            return None
        share = min(float(w.sum() / self._total_weight[c]), 1.0) if self._total_weight[c] else 0.0
        if share < rules.min_share and qi.size * fp.k < rules.min_words:
            return None
        mask = np.zeros(nq, dtype=bool)
        mask[qi] = True
        covered = _covered_words(fp.positions[mask[inverse]], fp.k, fp.words, rules.min_run)
        text_share = covered / max(fp.words, 1)
        if covered < need:
            return None
        is_copy = share >= rules.min_share
        is_excerpt = covered >= rules.min_words and text_share >= rules.min_text_share
        is_long_excerpt = covered >= rules.long_excerpt_words
        if not (is_copy or is_excerpt or is_long_excerpt):
            return None
        return DocumentMatch(
            doc_id=doc.id,
            title=doc.title,
            classification=doc.classification,
            share=share,
            raw_share=min(float(qi.size / self._sizes[c]), 1.0),
            matched_words=covered,
            text_share=min(text_share, 1.0),
            doc_words=doc.words,
        )


def _covered_words(starts: np.ndarray, k: int, words: int, min_run: int) -> int:
    """Words inside runs of >= min_run words covered by K-grams starting at `starts` (sorted)."""
    if starts.size == 0:
        return 0
    # K-grams whose starts are at most k apart overlap or touch: one run of covered words
    breaks = np.flatnonzero(np.diff(starts) > k)
    first = np.r_[starts[0], starts[breaks + 1]]
    last = np.r_[starts[breaks], starts[-1]]
    lengths = np.minimum(last + k, words) - first
    return int(lengths[lengths >= min_run].sum())


EMPTY_INDEX = DocumentIndex([])
