"""Who may call the evaluation routes."""

from __future__ import annotations

M, MINE, SCHEMES, RATE = "evaluation:manage", "evaluation:mine", "evaluation:schemes", "evaluation:rate"
SIGNED = "authenticated"  # the evidence page: the result's reader (its agent, or a manager of its province)
A = "/api/v1/evaluation"
RULES: dict[tuple[str, str], str | None] = {
    ("GET", f"{A}/runs"): M,
    ("POST", f"{A}/runs"): M,
    ("GET", f"{A}/runs/{{run_id}}"): M,
    ("GET", f"{A}/runs/{{run_id}}/export"): M,
    ("GET", f"{A}/mine"): MINE,
    ("POST", f"{A}/results/{{result_id}}/objections"): MINE,
    ("GET", f"{A}/objections"): M,
    ("POST", f"{A}/objections/{{objection_id}}/decide"): M,
    ("GET", f"{A}/schemes"): M,
    ("POST", f"{A}/schemes"): SCHEMES,
    ("POST", f"{A}/teamwork"): RATE,
    ("GET", "/evaluation"): M,
    ("POST", "/evaluation/runs"): M,
    ("GET", "/evaluation/runs/{run_id}"): M,
    ("POST", "/evaluation/objections/{objection_id}/decide"): M,
    ("GET", "/evaluation/mine"): MINE,
    ("POST", "/evaluation/mine/{result_id}/object"): MINE,
    ("POST", "/evaluation/teamwork"): RATE,
    ("GET", "/evaluation/schemes"): M,
    ("POST", "/evaluation/schemes"): SCHEMES,
    ("GET", "/evaluation/results/{result_id}/evidence/{key}"): SIGNED,
}
