"""The points programme, run by the zone operator: scenarios, exchange rates, earning rules,
campaigns, authorised programme operators (the batch API) and the liability reports."""
