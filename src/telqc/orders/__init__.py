"""Work orders (工单): lifecycle, SLA on business calendars, routing, transfer/escalation, complaint
closed loop, fault repair, customer progress.

Pure engines (plain data, no I/O): `calendar` (BusinessCalendar), `sla` (clocks, priority, policy
matching), `states` (state machine, TMF621 status mapping), `escalation_rules` (rules, risk terms).

Service layer (every function takes a `Ctx` first, never commits, audits and emits contract events):

- `service`: `create(ctx, OrderCreate)`, `get(ctx, id)` (404 outside the caller's scope),
  `get_for_update(ctx, id, if_match)` (row lock + 412), `search(ctx, OrderFilter, offset, limit)`,
  `assign(ctx, id, AssignIn, if_match)` (named or automatic), `transition(ctx, id, TransitionIn, if_match)`
  (409 `IllegalTransitionError` with `.allowed`), `add_note(ctx, id, NoteIn)`, `transfer(ctx, id, TransferIn,
  if_match)`, `recent_for_customer(ctx, customer_id)` (360 panel).
- `escalations.escalate(ctx, id, EscalateIn, if_match)`; `escalations.apply` for rule decisions.
- `complaints`: `record_callback(ctx, id, CallbackIn, if_match)`, `hand_to_network(ctx, id)`,
  `update_network(ctx, problem_id, NetworkUpdateIn, if_match)`, `network_problems(ctx)`, `callbacks_of`.
- `repairs`: `dispatch(ctx, id, DispatchIn, if_match)`, `engineer_update(ctx, id, EngineerUpdateIn, if_match)`,
  `my_jobs(ctx)`, `detail(ctx, id)`.
- `timeline`: `to_out(ctx, orders)`, `detail(ctx, order)` (agent view with full timeline),
  `for_customer / my_orders / my_order` (public items only).
- `sweep.sweep(ctx, now)` / `sweep_all`: SLA warnings, breaches, escalations for orders due now;
  `tasks.run_sweep` runs it as a job (Celery beat, `telqc orders sweep`).
- `notify`: `NotificationChannel` protocol, `RecordingChannel`, `set_channel`, `queue`, `deliver_pending`.
- `config`: `ensure_defaults`, `policies`, `categories` (stored tree, calendars and SLA policies, cached per process).
- `config_admin`: orders:admin changes to categories, calendars and SLA policies (validated, audited,
  effective at once).
- `lifecycle`: `change_state` (the single path of every status change), `refresh_sla`, `dims`.
"""
