"""The one card's use cases, by part:

- ``catalogue``: items, immutable versions, publication (``create_item``, ``save_draft``,
  ``move_item``, ``publication_problems``).
- ``applications``: 办件 from draft to rating (``start``, ``save_answers``, ``use_prefill``,
  ``attach_material``, ``submit``, ``receive``, ``accept_with_gaps``, ``refuse``,
  ``request_supplement``, ``resubmit``, ``start_review``, ``decide``, ``issue_result``,
  ``withdraw``, ``suspend``, ``resume``, ``terminate``, ``rate``, ``rectify``).
- ``forwarding`` / ``delivery``: the outbox to 海易办.
- ``results``: signed results, verifiable offline.
"""
