"""Merchants: the registry of merchants in scenarios, paying at a merchant with one-time
codes, the cashier, refunds and daily settlement, for merchants, payers and the operator."""
