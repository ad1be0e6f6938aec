"""The short-deadline flag: each call's minimum time between call and bids, the days it gives
counted the same way, and whether it gives less (issue 18).

Computed in one place and stored on the opportunity (`minimum_days`, `minimum_day_kind`,
`minimum_basis`, `given_days`, `short_deadline`), so search, pages, API, exports, alerts and
statistics all read the same values:

- `business_days`: `business_days_after(start, end)`, `calendar_days_after(start, end)`,
  `lima_date(moment)`: counting as Peruvian procurement law counts.
- `rules.load_rules(session) -> DeadlineRules`: legal minimums by procedure and the floor an
  administrator sets for procedures without one (`settings.admin_floor`, `save_admin_floor`).
- `assess.deadline_columns(rules, procedure_code, published_at, deadline_at) -> dict`: the
  five columns of one notice; ingest calls it for every record.
- `refresh.refresh(session, now, only_without_legal_minimum=False) -> RefreshReport`: stored
  notices recomputed in batches (`portal deadlines refresh`, daily in the scheduler);
  `operations.change_admin_floor` saves the floor and refreshes what it affects.
- `checks`: the flag as the search filters and counts it; `display`: how it is worded.
"""
