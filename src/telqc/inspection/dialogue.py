"""Dialogue-state tracking of identity verification before an account change (a fatal item).

The service standard (核实客户身份, KPI.md 致命差错率) is about the order of events, not about
words: the agent asks for ID digits, the service password or an SMS code, the customer *supplies*
it (or refuses, or gets it wrong), and only then may the agent change the account. So each turn
moves a small state machine::

    none ──ask──▶ asked ──digits / "输好了"──▶ supplied ──"验证通过"──▶ verified
                    │                            │
                    └──"忘了" / "不方便"──▶ refused └──"不对" / "验证失败"──▶ failed ──(ask again)──▶ asked

and the first account-changing action the agent performs (plan change, adding or cancelling
services, suspension/restoration and loss reports, SIM replacement, closing broadband, transfer of
ownership, service password reset) is a hit unless the state is supplied or verified. Repairs,
device swaps, tickets, billing reviews and information SMS are not account changes; nor is an
action that is offered, asked about or conditional ("可以为您办理吗", "核实后才能办理"). Incremental:
the same steps run live, turn by turn. Phrases come from the engine's automaton pass (slots).

Agents often report the change with a verb that names no service ("我这边提交了", "给您关掉了",
"好了，已经恢复了", "授权码给您发过去了"). Such a *completion* is an account change only when the
call is about one: the tracker remembers whether anybody has named an account-change request
(副卡, 漫游, 套餐, 挂失 …) so far, and only then reads a completion as the action; in a repair call
"我这边提交了" stays a ticket. Verification asked only after the action does not repair it: the
first action is judged once, on the state at that moment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telqc.inspection import numbers
from telqc.inspection.calls import Found, Hit, RuleMeta, Turn
from telqc.inspection.scope import clause, sentence_start

VERIFIED_STATES = frozenset({"supplied", "verified"})
_QUESTION = "？?"
_DONE = ("已", "成功", "好了", "办好", "了")
# An action the agent performs names the doer or the moment: 为您/帮您…, 已经…, 现在/马上/这就…
_DOERS = ("为您", "给您", "帮您", "替您", "为你", "给你", "帮你", "已", "现在", "马上", "这就", "这边", "立即", "立刻",
          "成功", "好了", "办好", "处理", "我把", "给它", "给他", "给她")
_SENTENCE = re.compile(r"[。！!？?；;\n]")
# "您的号码……已经开通了VoLTE": the account is the subject and nobody acts on it — a status read-out,
# an action only once the call is about changing something (a request was named); "您目前已开通…"
# says what is, whatever the call is about
_STATUS_SUBJECTS = ("您的号码", "您这个号码", "您的号", "您号码", "您这个号", "您的手机号", "您的账户", "您的宽带",
                    "您的套餐", "您的业务")
_STATUS_NOW = ("您目前", "目前您", "您现在的", "您现在是", "目前是", "目前已", "目前还")
_AGENT_DOERS = ("为您", "给您", "帮您", "替您", "为你", "给你", "帮你", "我", "这边")


@dataclass(frozen=True, slots=True)
class Slots:
    """Automaton slots of the phrase sets this tracker listens to (None: the set is empty)."""

    action: int
    confirm: int
    ask: int | None
    supply: int | None
    fail: int | None
    refuse: int | None
    not_account: int | None
    hypothetical: int | None
    request: int | None = None  # an account-change request named by either side (副卡, 漫游, 挂失 …)
    completion: int | None = None  # a generic "done" verb of the agent (提交了, 关掉了, 恢复了 …)


def _spans(found: Found | None, slot: int | None) -> list[tuple[int, int]]:
    if found is None or slot is None:
        return []
    return found.get(slot, [])


def _inside(spans: list[tuple[int, int]], lo: int, hi: int) -> bool:
    return any(lo <= s and e <= hi for s, e in spans)


def _status_read_out(part: str, requested: bool) -> bool:
    if any(m in part for m in _AGENT_DOERS):
        return False
    return any(m in part for m in _STATUS_NOW) or (not requested and any(m in part for m in _STATUS_SUBJECTS))


class Verification:
    """Per-call state: ``state[0]`` the phase, ``state[1]`` whether the first action has been judged,
    ``state[2]`` whether an account-change request has been named (completions count only then)."""

    __slots__ = ("meta", "slots")

    def __init__(self, meta: RuleMeta, slots: Slots) -> None:
        self.meta, self.slots = meta, slots

    @staticmethod
    def initial() -> list[object]:
        return ["none", False, False]

    def _actions(self, text: str, found: Found | None, requested: bool) -> list[tuple[int, int]]:
        """Account-changing actions performed now: not offered, asked, conditional or non-account."""
        sl = self.slots
        out: list[tuple[int, int]] = []
        not_acc, hyp = _spans(found, sl.not_account), _spans(found, sl.hypothetical)
        candidates = _spans(found, sl.action)
        request = _spans(found, sl.request)
        if sl.completion is not None:
            done = _spans(found, sl.completion)
            # a completion counts once the call is about an account change, earlier or earlier in this turn
            candidates = candidates + [d for d in done if requested or any(r[0] < d[0] for r in request)]
        for s, e in sorted(candidates):
            lo, hi = clause(text, s, e)
            if _status_read_out(text[lo:hi], requested or any(r[0] < s for r in request)):
                continue
            if _inside(not_acc, lo, hi) or _inside(hyp, lo, hi):
                continue
            # "需要的话……就可以办理": a condition anywhere in the sentence, unless this clause says it is done
            if _inside(hyp, sentence_start(text, s), hi) and not any(m in text[lo:hi] for m in _DONE):
                continue
            if hi < len(text) and text[hi] in _QUESTION:
                continue
            end = _SENTENCE.search(text, e)
            if end is not None and end.group() in _QUESTION:
                continue  # "……取消彩铃功能，对吗？": a confirmation question, not the action
            asked_for = requested or any(r[0] < s for r in request)
            if not any(m in text[lo:hi] for m in _DOERS) and not (asked_for and text.startswith("了", e)):
                continue  # "老人办理还赠送来电显示": describes a product; "行，取消了" after a request is done
            if out and s < out[-1][1]:
                continue
            out.append((s, e))
        return out

    def step(self, ti: int, turn: Turn, found: Found | None, state: list[object], out: list[Hit]) -> None:
        if state[1]:
            return
        sl, text = self.slots, turn.text
        requested = bool(state[2])
        if not requested and found is not None and sl.request in found:
            state[2] = True
        if turn.speaker == "customer":
            if state[0] in ("asked", "failed", "refused"):
                if _spans(found, sl.refuse):
                    state[0] = "refused"
                elif _spans(found, sl.supply) or any(len(r.digits) >= 4 for r in numbers.digit_runs(text)):
                    state[0] = "supplied"
            return
        events: list[tuple[int, str]] = [(s, "confirm") for s, _ in _spans(found, sl.confirm)]
        events += [(s, "fail") for s, _ in _spans(found, sl.fail)]
        events += [(s, "ask") for s, _ in _spans(found, sl.ask)]
        acting = found is not None and (sl.action in found or sl.completion in found)
        actions = self._actions(text, found, requested) if acting else []
        events += [(s, "action") for s, _ in actions]
        for pos, what in sorted(events):
            if what == "fail" and state[0] in ("asked", "supplied"):
                state[0] = "failed"
            elif what == "confirm":
                state[0] = "verified"
            elif what == "ask" and state[0] not in VERIFIED_STATES:
                state[0] = "asked"
            elif what == "action":
                state[1] = True
                if state[0] not in VERIFIED_STATES:
                    s, e = next(span for span in actions if span[0] == pos)
                    lo, hi = clause(text, s, e)
                    why = {
                        "none": "办理账户变更前未核实身份（未索要证件号/服务密码/验证码）",
                        "asked": "已要求核实身份，但客户尚未提供即办理",
                        "refused": "客户未能提供核验信息，仍办理了账户变更",
                        "failed": "身份核验未通过，仍办理了账户变更",
                    }[str(state[0])]
                    out.append(self.meta.hit(ti, turn, lo, hi, text[lo:hi], None, why=why))
                return
