"""Results of maker competitions (decision 0035): jury rubric scoring with conflicts of
interest, appeals, the winners' 公示 and the prizes paid through payouts.

- **Jury.** The organiser adds a jury round's rubric (criteria with weights, while the
  competition is a draft) and assigns jury members (a person who takes part in the
  competition, alone or in a team, cannot be one: ``juror_conflict``). After the round's
  submissions close, each jury member scores every entry that submitted in the round, one
  sheet per entry, or declares a conflict of interest with it and is excluded from it. A
  member of the entry's team is excluded without declaring.
- **Hidden until closed.** No one sees a score before the organiser closes the scoring, and
  that needs every sheet in (``sheets_missing``). The entry's score is the mean over its
  sheets of the rubric's weighted percent (``training.rubric``), kept exact in fractions and
  rounded half-up to two places once, at the end.
- **Appeals** are filed by an entrant within ``appeal_days`` calendar days of the scoring's
  close; the organiser decides with a reason. An upheld appeal reopens the round's scoring
  (the jury corrects its sheets, the organiser closes it again).
- **Winners** are announced in 公示 once the competition is closed, no appeal is pending
  and every appeal window has ended; the prizes are committed from the organiser's budget at
  that moment. After the 公示 ended without an upheld objection, ``award`` approves one
  payout per winner with a prize; the award shows as paid only when payouts confirms it. An
  upheld objection sends the competition back to "closed": awards withdrawn, money released.
"""

from .appeals import appeal_deadline, decide_appeal, file_appeal
from .jury import (
    NOTICE_DAYS,
    SUBJECT,
    JuryRow,
    add_criterion,
    assign_judge,
    close_scoring,
    declare_conflict,
    excluded,
    jury_board,
    jury_scores,
    missing_sheets,
    participants,
    scorable_entries,
    score_entry,
)
from .winners import (
    announce_winners,
    award,
    commitment_of,
    judge_rounds,
    on_objection_decided,
    on_payout_confirmed,
    payee,
    prizes_total,
)

__all__ = [
    "NOTICE_DAYS",
    "SUBJECT",
    "JuryRow",
    "add_criterion",
    "announce_winners",
    "appeal_deadline",
    "assign_judge",
    "award",
    "close_scoring",
    "commitment_of",
    "decide_appeal",
    "declare_conflict",
    "excluded",
    "file_appeal",
    "judge_rounds",
    "jury_board",
    "jury_scores",
    "missing_sheets",
    "on_objection_decided",
    "on_payout_confirmed",
    "participants",
    "payee",
    "prizes_total",
    "scorable_entries",
    "score_entry",
]
