"""Use cases of challenges, one function each (keyword-only typed inputs, one transaction,
audit records): ``challenges`` (draft, moves, Q&A, expert pool), ``applications`` (apply
with eligibility explained, withdraw, qualification review), ``evaluation`` (assignment,
recusal, score sheets, closing), ``signing`` (selection and 公示, task book versions and
signatures), ``milestones`` (reports, reviews, escalation, credentials)."""
