"""Answer aggregation and agreement for data-processing work, with no Django imports, so that
the product (``services.aggregate_batch``) and the benchmark (``benchmarks/datatasks/run``)
run exactly the same code.

Categorical answers (single-label classification):

- ``majority_vote``: the label most workers chose. **Tie rule**: among the tied labels, the
  one chosen by the worker with the best known gold accuracy wins (workers without a known
  accuracy rank below every known one); if that still ties, the label that comes first in
  the label order (the batch's label list; sorted labels when none is given).
  Confidence = the winning label's share of the votes.
- ``dawid_skene``: Dawid & Skene (1979) expectation maximisation. Each worker has a
  confusion matrix P(answer | true label), the classes have priors; EM starts from the
  majority-vote shares and alternates the M-step (priors and confusion matrices from the
  current posteriors, floored at 1e-10) and the E-step (posteriors of each item's true
  label). Items with a known (gold) answer are clamped to it, so gold anchors the worker
  estimates. Stops when the mean log-likelihood per answer changes by less than
  ``tolerance`` or after ``max_iterations``. Confidence = the posterior of the chosen label;
  argmax ties go to the first label in label order.

Other task types:

- multi-label classification: every label is aggregated on its own as a yes/no question
  (with either method); confidence = the mean over labels of the chosen decision's
  probability.
- transcription / normalisation: majority over normalised text (``normalise_text``: Unicode
  NFKC, case-folded, whitespace collapsed); the result is the most frequent original
  spelling in the winning group; ties as above.
- span labelling: text is split into tokens (``tokenize``: each CJK character is a token,
  runs of other letters/digits are one token, each other symbol is one); each answer gives
  every token a label or ``O`` (no span); each token takes the majority label (ties as
  above, ``O`` first in label order), and runs of adjacent tokens with the same label
  become the result's spans.

Agreement: Krippendorff's alpha for nominal data (any number of answers per item, missing
answers allowed) and Fleiss' kappa (a fixed number of answers per item), both computed from
their textbook formulas.
"""

from .agreement import fleiss_from_answers, fleiss_kappa, krippendorff_alpha
from .batch import aggregate
from .categorical import (
    DAWID_SKENE,
    EPSILON,
    MAJORITY,
    METHODS,
    MULTI_LABEL,
    NO_SPAN,
    SINGLE_LABEL,
    SPANS,
    TASK_TYPES,
    TRANSCRIPTION,
    DawidSkeneResult,
    FloatArray,
    IntArray,
    Outcome,
    Report,
    Span,
    categorical,
    dawid_skene,
    majority_vote,
    pick,
)
from .text import normalise_text, score, spans_from_tokens, token_labels, tokenize

__all__ = [
    "DAWID_SKENE",
    "EPSILON",
    "MAJORITY",
    "METHODS",
    "MULTI_LABEL",
    "NO_SPAN",
    "SINGLE_LABEL",
    "SPANS",
    "TASK_TYPES",
    "TRANSCRIPTION",
    "DawidSkeneResult",
    "FloatArray",
    "IntArray",
    "Outcome",
    "Report",
    "Span",
    "aggregate",
    "categorical",
    "dawid_skene",
    "fleiss_from_answers",
    "fleiss_kappa",
    "krippendorff_alpha",
    "majority_vote",
    "normalise_text",
    "pick",
    "score",
    "spans_from_tokens",
    "token_labels",
    "tokenize",
]
