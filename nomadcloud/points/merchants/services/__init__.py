"""The merchants' use cases, one module per part: the registry of merchants, payments and
refunds, and daily settlement."""
