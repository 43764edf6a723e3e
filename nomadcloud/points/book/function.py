"""The single-transfer fast path on PostgreSQL: one server-side function call
(``points_transfer_one``) applies a plain transfer — lock both accounts, check, take lots
oldest first, write the transfer, its entries, lot moves, the new lot and both balances — in
one round trip and, outside a caller's transaction, one statement (decision 0045).

It decides only the happy path. Whenever the transfer would not be created exactly as the
Python core would create it (an account unknown, closed or of another asset, the id already
used, an amount beyond the asset's maximum, a limit, spendable lots short, an overflow), it
writes nothing and returns NULL, and ``DatabaseLedger`` runs the Python core, which gives the
refusal (or the answer ``exists``) and stays the rules' one description: the function
repeats its checks, so every rule change in ``ledger/engine/`` that touches a plain transfer
must change the function too (``tests/test_points_store.py`` compares both paths with the
memory store, result for result and state for state).

SQLite has no counterpart: its path is unchanged.
"""

from __future__ import annotations

from typing import Any

FUNCTION = r"""
CREATE OR REPLACE FUNCTION points_transfer_one(
    p_tid text, p_debit text, p_credit text, p_amount bigint, p_asset text,
    p_ts timestamptz, p_lot_expires timestamptz, p_request jsonb, p_code text,
    p_reference text
) RETURNS text[] LANGUAGE plpgsql AS $fn$
DECLARE
    acc record;
    dr record;
    cr record;
    lot record;
    lot_ids text[] := '{}';
    taken bigint[] := '{}';
    left_over bigint := p_amount;
    n bigint;
    alloc jsonb := '[]'::jsonb;
    new_lot text := '';
    expires timestamptz;
    t timestamp;
    found_accounts integer := 0;
BEGIN
    IF p_debit = p_credit OR p_amount <= 0 THEN
        RETURN NULL;
    END IF;
    -- Locks in the order the Python path takes them (ids in byte order): no deadlock. The
    -- asset comes with them (assets never change). An id already used is not looked up: the
    -- transfer's unique key refuses it and the Python core answers ``exists``.
    FOR acc IN
        SELECT a.*, s.max_amount, s.expiry_months, s.expiry_days, s.expiry_at_end_of
        FROM points_account AS a JOIN points_asset AS s ON s.code = a.asset_id
        WHERE a.id IN (p_debit, p_credit)
        ORDER BY a.id COLLATE "C" FOR UPDATE OF a
    LOOP
        IF acc.id = p_debit THEN dr := acc; ELSE cr := acc; END IF;
        found_accounts := found_accounts + 1;
    END LOOP;
    IF found_accounts < 2 THEN
        RETURN NULL;
    END IF;
    IF dr.asset_id <> cr.asset_id
       OR (p_asset <> '' AND p_asset <> dr.asset_id) OR dr.closed OR cr.closed
       OR p_amount > dr.max_amount THEN
        RETURN NULL;
    END IF;
    IF dr.debits_must_not_exceed_credits
       AND dr.debits_pending + dr.debits_posted > dr.credits_posted - p_amount THEN
        RETURN NULL;
    END IF;
    IF cr.credits_must_not_exceed_debits
       AND cr.credits_pending + cr.credits_posted > cr.debits_posted - p_amount THEN
        RETURN NULL;
    END IF;
    IF greatest(dr.debits_pending + dr.debits_posted, cr.credits_pending + cr.credits_posted)
       > 9223372036854775807 - p_amount THEN
        RETURN NULL;
    END IF;
    IF dr.lots THEN
        -- Spendable lots oldest first (Lot.order_key: expiry, never-expiring last; creation;
        -- id in byte order), read under the account's lock.
        FOR lot IN
            SELECT id, remaining FROM points_lot
            WHERE account_id = dr.id AND remaining > 0
              AND (expires_at IS NULL OR expires_at > p_ts)
            ORDER BY expires_at NULLS LAST, created_at, id COLLATE "C"
        LOOP
            EXIT WHEN left_over = 0;
            n := least(lot.remaining, left_over);
            lot_ids := lot_ids || lot.id;
            taken := taken || n;
            alloc := alloc || jsonb_build_array(jsonb_build_array(lot.id, n));
            left_over := left_over - n;
        END LOOP;
        IF left_over > 0 THEN
            RETURN NULL;  -- the rest has expired: refused by the core
        END IF;
    END IF;
    IF cr.lots THEN
        new_lot := p_tid;
        expires := p_lot_expires;
        IF expires IS NULL AND (dr.expiry_months > 0 OR dr.expiry_days > 0
                                OR dr.expiry_at_end_of <> '') THEN
            -- ExpiryRule.expires_at, in UTC: months (clamped to the month's last day),
            -- days, then the end of the day, month or year.
            t := (p_ts AT TIME ZONE 'UTC') + make_interval(months => dr.expiry_months)
                 + make_interval(days => dr.expiry_days);
            IF dr.expiry_at_end_of = 'day' THEN
                t := date_trunc('day', t) + interval '1 day';
            ELSIF dr.expiry_at_end_of = 'month' THEN
                t := date_trunc('month', t) + interval '1 month';
            ELSIF dr.expiry_at_end_of = 'year' THEN
                t := date_trunc('year', t) + interval '1 year';
            END IF;
            expires := t AT TIME ZONE 'UTC';
        END IF;
    END IF;

    -- The writes in one statement (each statement of a function costs its own start-up).
    WITH t AS (
        INSERT INTO points_transfer (tid, kind, debit_account_id, credit_account_id,
            asset_id, amount, timestamp, request, pending_id, reverses, expires_at, lot_id,
            allocation, code, reference)
        VALUES (p_tid, 'transfer', dr.id, cr.id, dr.asset_id, p_amount, p_ts, p_request, '',
            '', NULL, new_lot, alloc, p_code, p_reference)
    ), e AS (
        INSERT INTO points_entry (transfer_tid, account_id, debits_pending, debits_posted,
            credits_pending, credits_posted)
        VALUES (p_tid, dr.id, 0, p_amount, 0, 0), (p_tid, cr.id, 0, 0, 0, p_amount)
    ), nl AS (
        INSERT INTO points_lot (id, account_id, asset_id, amount, remaining, created_at,
            expires_at, expired_count)
        SELECT new_lot, cr.id, cr.asset_id, p_amount, p_amount, p_ts, expires, 0
        WHERE new_lot <> ''
    ), lu AS (
        UPDATE points_lot AS l SET remaining = l.remaining - m.n
        FROM unnest(lot_ids, taken) AS m(id, n) WHERE l.id = m.id
    ), mv AS (
        INSERT INTO points_lotmove (transfer_tid, lot_id, amount)
        SELECT p_tid, m.id, -m.n FROM unnest(lot_ids, taken) WITH ORDINALITY AS m(id, n, i)
        ORDER BY m.i
    )
    UPDATE points_account SET
        debits_posted = debits_posted + CASE WHEN id = dr.id THEN p_amount ELSE 0 END,
        credits_posted = credits_posted + CASE WHEN id = cr.id THEN p_amount ELSE 0 END
    WHERE id IN (dr.id, cr.id);
    RETURN ARRAY[dr.asset_id, new_lot, alloc::text];
END
$fn$;
"""

CALL = (
    "SELECT points_transfer_one(%s::text, %s::text, %s::text, %s::bigint, %s::text,"
    " %s::timestamptz, %s::timestamptz, %s::jsonb, %s::text, %s::text)"
)


def install(connection: Any) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(FUNCTION)


def remove(connection: Any) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "DROP FUNCTION IF EXISTS points_transfer_one("
                "text, text, text, bigint, text, timestamptz, timestamptz, jsonb, text, text)"
            )
