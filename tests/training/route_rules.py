"""Who may call the training routes."""

from __future__ import annotations

M, MINE = "training:manage", "training:mine"
A = "/api/v1/training"
RULES: dict[tuple[str, str], str | None] = {
    ("GET", f"{A}/courses"): M,
    ("POST", f"{A}/courses"): M,
    ("GET", f"{A}/courses/{{course_id}}/questions"): M,
    ("POST", f"{A}/courses/{{course_id}}/questions"): M,
    ("POST", f"{A}/questions/{{question_id}}/retire"): M,
    ("GET", f"{A}/exams"): M,
    ("POST", f"{A}/exams"): M,
    ("GET", f"{A}/assignments"): M,
    ("POST", f"{A}/assignments"): M,
    ("POST", f"{A}/assignments/from-qa"): M,
    ("GET", f"{A}/results"): M,
    ("GET", f"{A}/attempts/{{attempt_id}}"): M,
    ("GET", f"{A}/sim-scorecards"): M,
    ("POST", f"{A}/sim-scorecards"): M,
    ("GET", f"{A}/sim-calls"): M,
    ("POST", f"{A}/sim-calls"): M,
    ("GET", f"{A}/mine"): MINE,
    ("POST", f"{A}/mine/assignments/{{assignment_id}}/complete"): MINE,
    ("POST", f"{A}/mine/exams/{{exam_id}}/attempts"): MINE,
    ("GET", f"{A}/mine/attempts/{{attempt_id}}"): MINE,
    ("POST", f"{A}/mine/attempts/{{attempt_id}}/submit"): MINE,
    ("GET", "/training/mine"): MINE,
    ("POST", "/training/mine/assignments/{assignment_id}/complete"): MINE,
    ("POST", "/training/mine/exams/{exam_id}/start"): MINE,
    ("GET", "/training/mine/attempts/{attempt_id}"): MINE,
    ("POST", "/training/mine/attempts/{attempt_id}/submit"): MINE,
    ("GET", "/training"): M,
    ("POST", "/training/courses"): M,
    ("POST", "/training/courses/{course_id}/questions"): M,
    ("POST", "/training/questions/{question_id}/retire"): M,
    ("POST", "/training/exams"): M,
    ("POST", "/training/assign"): M,
    ("POST", "/training/assign/from-qa"): M,
    ("POST", "/training/sim-scorecards"): M,
    ("POST", "/training/sim-calls"): M,
    ("GET", "/training/attempts/{attempt_id}"): M,
}
