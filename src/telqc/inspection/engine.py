"""Automatic inspection (智能质检) of call transcripts: batch and live evaluation.

Pure: plain turns in, plain hits out, no database and no clock. A rule set is compiled
once into one Aho-Corasick automaton per speaker that feeds every phrase-based rule in a
single pass per turn; numeric rules are a few comparisons per turn and regexes run only
on turns where a prefilter literal was found by that same pass. Batch (:meth:`Inspector.
evaluate`) and live (:class:`LiveSession`) share the per-turn scan and differ only in how
whole-call rules (greeting, closing, talk ratio) are decided, and must agree hit for hit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import ahocorasick

from telqc.inspection import detectors as det
from telqc.inspection import dialogue
from telqc.inspection.calls import SPEAKERS, Found, Hit, RuleMeta, SpeakerName, Transcript, Turn
from telqc.inspection.learned import ModelMatch, load_model
from telqc.inspection.lexicon_files import load_lexicon, load_scope, phrase_list
from telqc.inspection.model_batch import PackedModel
from telqc.inspection.rules import Scorecard, Speaker

_LAST = 1 << 62  # sort key of call-level hits (no turn)


class _Rules:
    """A scorecard compiled once: automata, slots, and per-kind rule lists."""

    def __init__(self, card: Scorecard) -> None:
        self.card = card
        self.order: dict[str, int] = {}
        self._keys: dict[SpeakerName, dict[str, dict[int, bool]]] = {sp: {} for sp in SPEAKERS}
        self.turn_rules: dict[SpeakerName, list[Any]] = {sp: [] for sp in SPEAKERS}
        self.main: dict[SpeakerName, dict[int, Any]] = {sp: {} for sp in SPEAKERS}
        self.models: dict[SpeakerName, list[ModelMatch]] = {sp: [] for sp in SPEAKERS}
        self.packed: list[tuple[ModelMatch, PackedModel, frozenset[str]]] = []
        self.model_grams: set[str] = set()
        self.positions: list[det.Position] = []
        self.orders: list[det.Order] = []
        self.dialogues: list[dialogue.Verification] = []
        self.silences: list[tuple[RuleMeta, int, frozenset[str]]] = []
        self.overlaps: list[tuple[RuleMeta, int, frozenset[str]]] = []
        self.ratios: list[tuple[RuleMeta, Any]] = []
        self._nslots = 0
        for index, rule in enumerate(card.active_rules()):
            self.order[rule.id] = index
            meta = RuleMeta(rule.id, rule.kind, str(rule.severity), rule.alert, rule.scorecard_item, index)
            self._compile(rule, meta, card.base_dir)
        self.automata = {sp: self._build(sp) for sp in SPEAKERS}
        self.per_speaker = {sp: (self.automata[sp], self.main[sp], tuple(self.turn_rules[sp]), tuple(self.models[sp]))
                            for sp in SPEAKERS}
        self.min_gap = min((g for _, g, _ in self.silences), default=-1)

    def _speakers(self, speaker: Speaker) -> frozenset[SpeakerName]:
        return frozenset(SPEAKERS) if speaker == "any" else frozenset((speaker,))

    def _slot(self, phrases: Iterable[str], speaker: Speaker, edge: bool = True) -> int:
        """Register a phrase set; ``edge`` = ASCII phrases must not touch ASCII letters or digits."""
        slot = self._nslots
        self._nslots += 1
        for sp in self._speakers(speaker):
            keys = self._keys[sp]
            for phrase in phrases:
                keys.setdefault(phrase, {})[slot] = edge
        return slot

    def _phrase_slots(self, rule: Any, base: str | None) -> tuple[int, int | None]:
        slot = self._slot(phrase_list(rule.phrases, rule.lexicon, base), rule.speaker)
        excl = phrase_list(rule.exclude, getattr(rule, "exclude_lexicon", None), base)
        return slot, (self._slot(excl, rule.speaker) if excl else None)

    def _compile(self, rule: Any, meta: RuleMeta, base: str | None) -> None:
        kind, sps = rule.kind, self._speakers(rule.speaker)
        if kind in ("phrase", "emotion"):
            scope = load_scope(rule.scope_lexicon, base) if rule.scope_lexicon else None
            if kind == "phrase":
                slot, excl = self._phrase_slots(rule, base)
                neg = {p for p, _ in load_lexicon(rule.negation_lexicon, base)} if rule.negation else None
                handler: Any = det.PhraseMatch(meta, slot, excl, neg, scope)
            else:
                weights = dict(load_lexicon(rule.lexicon, base))
                slot = self._slot(weights, rule.speaker)
                excl = self._slot(rule.exclude, rule.speaker) if rule.exclude else None
                neg = {p for p, _ in load_lexicon(rule.negation_lexicon, base)}
                degree = dict(load_lexicon(rule.degree_lexicon, base))
                handler = det.Emotion(meta, slot, excl, weights, neg, degree, rule.threshold, scope)
            for sp in sps:
                self.main[sp][slot] = handler
            if rule.model:
                model = load_model(rule.model, base)
                self.model_grams.update(model.weights)
                learned = ModelMatch(meta, model, rule.model_threshold, slot if kind == "phrase" else None, scope)
                self.packed.append((learned, PackedModel(model), sps))
                for sp in sps:
                    self.models[sp].append(learned)
        elif kind in ("regex", "id_number"):
            if kind == "regex":
                literals = rule.prefilter
                handler = det.RegexMatch(meta, rule.pattern, rule.ignore_case)
            else:
                literals = []  # the detector's own C-level regex gate is cheaper than literals
                handler = det.IdNumber(meta, rule.spoken_digits, rule.checksum, rule.phones, tuple(rule.not_after),
                                       tuple(rule.id_context))
            if literals:
                slot = self._slot(literals, rule.speaker, edge=False)
                for sp in sps:
                    self.main[sp][slot] = handler
            else:
                for sp in sps:
                    self.turn_rules[sp].append(handler)
        elif kind == "speech_rate":
            handler = det.SpeechRate(meta, rule.min_cps, rule.max_cps, rule.min_duration_ms, rule.min_chars)
            for sp in sps:
                self.turn_rules[sp].append(handler)
        elif kind == "position":
            slot, excl = self._phrase_slots(rule, base)
            also_list = phrase_list(rule.also_phrases, rule.also_lexicon, base)
            also = self._slot(also_list, rule.speaker) if also_list else None
            self.positions.append(det.Position(meta, slot, excl, sps, rule.anchor, rule.turns, rule.within_ms, also))
        elif kind == "order" and rule.ask_lexicon:
            self.dialogues.append(self._dialogue(rule, meta, base))
        elif kind == "order":
            slot, excl = self._phrase_slots(rule, base)
            req = self._slot(phrase_list(rule.require_phrases, rule.require_lexicon, base), rule.require_speaker)
            self.orders.append(det.Order(meta, slot, excl, req, sps, rule.once))
        elif kind == "silence":
            self.silences.append((meta, rule.max_gap_ms, sps))
        elif kind == "overlap":
            self.overlaps.append((meta, rule.min_overlap_ms, sps))
        elif kind == "talk_ratio":
            self.ratios.append((meta, rule))
        else:  # pragma: no cover - the schema's discriminator rules this out
            raise ValueError(f"unknown rule kind {kind!r}")

    def _dialogue(self, rule: Any, meta: RuleMeta, base: str | None) -> dialogue.Verification:
        def opt(name: str | None, speaker: Speaker, inline: tuple[str, ...] = ()) -> int | None:
            phrases = phrase_list(list(inline), name, base)
            return self._slot(phrases, speaker) if phrases else None

        action = self._slot(phrase_list(rule.phrases, rule.lexicon, base), "agent")
        confirm = self._slot(phrase_list(rule.require_phrases, rule.require_lexicon, base), "agent")
        hypothetical = phrase_list(rule.exclude, rule.exclude_lexicon, base)
        slots = dialogue.Slots(
            action=action,
            confirm=confirm,
            ask=opt(rule.ask_lexicon, "agent"),
            supply=opt(rule.supply_lexicon, "customer"),
            fail=opt(rule.fail_lexicon, "agent"),
            refuse=opt(rule.refuse_lexicon, "customer"),
            not_account=opt(rule.not_account_lexicon, "agent"),
            hypothetical=opt(rule.hypothetical_lexicon, "agent", tuple(hypothetical)),
            request=opt(rule.request_lexicon, "any"),
            completion=opt(rule.completion_lexicon, "agent"),
        )
        return dialogue.Verification(meta, slots)

    def _build(self, sp: SpeakerName) -> Any:
        auto = ahocorasick.Automaton()
        for phrase, slots in self._keys[sp].items():
            every = tuple(sorted(slots))
            free = None  # slots still matched when the ASCII edge check fails; None: no check
            if det.needs_edge_check(phrase) and any(slots.values()):
                free = tuple(s for s in every if not slots[s])
            auto.add_word(phrase, (len(phrase), every, free))
        if not self._keys[sp]:
            auto.add_word("\x00", (1, (), None))  # an empty automaton cannot be searched
        auto.make_automaton()
        return auto

    def phrases(self, models: bool = True) -> set[str]:
        """Every literal the engine looks for: the automata's phrases and (``models``) the learned checks'
        n-grams, which are cut by slicing rather than matched (the benchmark's ceiling scans both)."""
        found = {p for sp in SPEAKERS for p in self._keys[sp]}
        return found | self.model_grams if models else found

    def model_logits(self, turns: tuple[Turn, ...]) -> dict[int, dict[int, float]]:
        """Batch only: every learned check's logit for each turn of its speakers, keyed by id(check), turn."""
        out: dict[int, dict[int, float]] = {}
        for check, packed, sps in self.packed:
            own = [ti for ti, t in enumerate(turns) if t.speaker in sps]
            scores = packed.logits([turns[ti].text for ti in own])
            out[id(check)] = dict(zip(own, scores.tolist(), strict=True))
        return out

    def scan(self, ti: int, turn: Turn, out: list[Hit],
             logits: dict[int, dict[int, float]] | None = None) -> Found | None:
        """The one automaton pass over a turn, then every per-turn rule and learned check; returns slot matches."""
        text = turn.text
        auto, main, turn_rules, models = self.per_speaker[turn.speaker]
        found: Found | None = None
        for end, (plen, slots, free) in auto.iter(text):
            start = end - plen + 1
            if free is not None and not det.edges_ok(text, start, end + 1):
                slots = free
            if found is None:
                found = {}
            for slot in slots:
                spans = found.get(slot)
                if spans is None:
                    found[slot] = [(start, end + 1)]
                else:
                    spans.append((start, end + 1))
        if found is not None:
            for slot in found:
                handler = main.get(slot)
                if handler is not None:
                    handler(ti, turn, found, out)
        for handler in turn_rules:
            handler(ti, turn, None, out)
        for model in models:
            model(ti, turn, found, out, None if logits is None else logits[id(model)][ti])
        return found


class _Stream:
    """Rules decided from the past alone (silence, interruption, order), shared by batch and live."""

    __slots__ = ("agent_end", "customer_end", "dialogue_state", "max_end", "order_state", "rules")

    def __init__(self, rules: _Rules) -> None:
        self.rules = rules
        self.max_end = self.agent_end = self.customer_end = -1
        self.order_state = [[False, False] for _ in rules.orders]  # [verified, fired]
        self.dialogue_state = [d.initial() for d in rules.dialogues]

    def step(self, ti: int, turn: Turn, found: Found | None, out: list[Hit]) -> None:
        rules, start, end = self.rules, turn.start_ms, turn.end_ms
        agent = turn.speaker == "agent"
        if self.max_end >= 0 and rules.silences and start - self.max_end > rules.min_gap:
            gap = start - self.max_end
            for meta, max_gap, sps in rules.silences:
                if gap > max_gap and turn.speaker in sps:
                    why = f"静音 {gap / 1000:.1f} 秒，超过 {max_gap / 1000:g} 秒"
                    out.append(meta.hit(ti, turn, 0, 0, "", float(gap), self.max_end, why=why))
        if rules.overlaps:
            over = (self.customer_end if agent else self.agent_end) - start
            for meta, min_ov, sps in rules.overlaps:
                if over > min_ov and turn.speaker in sps:
                    why = f"在对方说话时插话 {over / 1000:.1f} 秒"
                    out.append(meta.hit(ti, turn, 0, len(turn.text), turn.text, float(over), why=why))
        if end > self.max_end:
            self.max_end = end
        if agent:
            if end > self.agent_end:
                self.agent_end = end
        elif end > self.customer_end:
            self.customer_end = end
        if found is not None and rules.orders:
            for order, state in zip(rules.orders, self.order_state, strict=True):
                order.step(ti, turn, found, state, out)
        for track, dstate in zip(rules.dialogues, self.dialogue_state, strict=True):
            track.step(ti, turn, found, dstate, out)


def _ratio_hit(meta: RuleMeta, rule: Any, agent_ms: int, customer_ms: int) -> Hit | None:
    """Call-level talk balance; a call shorter than ``min_total_ms`` says nothing about balance."""
    if agent_ms + customer_ms < rule.min_total_ms or agent_ms + customer_ms == 0:
        return None
    ratio = agent_ms / customer_ms if customer_ms else float("inf")
    low = rule.min_ratio is not None and ratio < rule.min_ratio
    high = rule.max_ratio is not None and ratio > rule.max_ratio
    why = f"坐席/客户通话时长比 {ratio:.2f}，超出 {rule.min_ratio}–{rule.max_ratio}"
    return meta.hit(None, None, 0, 0, "", round(ratio, 3), why=why) if low or high else None


# Rules about the audio timeline: meaningless for typed conversations (chat, app, web, WeChat).
TIMED_KINDS = frozenset({"silence", "overlap", "speech_rate", "talk_ratio"})
VOICE_CHANNELS = frozenset({"call", "hotline", "voice", "phone"})


class Inspector:
    """A compiled scorecard; thread-safe and reusable, build once per rule-set version."""

    def __init__(self, scorecard: Scorecard) -> None:
        self.rules = _Rules(scorecard)
        self.scorecard = scorecard
        self._text_only: Inspector | None = None

    def for_channel(self, channel: str | None) -> Inspector:
        """The same scorecard for a channel: typed conversations drop the silence and speech-rate rules."""
        if channel is None or channel in VOICE_CHANNELS:
            return self
        if self._text_only is None:
            rules = tuple(r for r in self.scorecard.rules if r.kind not in TIMED_KINDS)
            self._text_only = Inspector(self.scorecard.model_copy(update={"rules": rules}))
        return self._text_only

    def sort_key(self, hit: Hit) -> tuple[int, int, int, int]:
        """Canonical hit order: by turn, then rule order in the scorecard, then position."""
        ti = _LAST if hit.turn_index is None else hit.turn_index
        return (ti, self.rules.order[hit.rule_id], hit.span_start, hit.span_end)

    def evaluate(self, transcript: Transcript | Iterable[Turn]) -> list[Hit]:
        """Batch: inspect a finished call. Whole-call rules look at the full turn list."""
        turns = transcript.turns if isinstance(transcript, Transcript) else tuple(transcript)
        rules, hits = self.rules, list[Hit]()
        stream = _Stream(rules)
        scan, step = rules.scan, stream.step
        by_speaker: dict[str, list[tuple[int, Found | None]]] = {"agent": [], "customer": []}
        talk = {"agent": 0, "customer": 0}
        logits = rules.model_logits(turns)
        for ti, turn in enumerate(turns):
            found = scan(ti, turn, hits, logits)
            step(ti, turn, found, hits)
            by_speaker[turn.speaker].append((ti, found))
            talk[turn.speaker] += turn.end_ms - turn.start_ms
        for pos in rules.positions:
            if len(pos.sps) == 1:
                own = by_speaker[next(iter(pos.sps))]
            else:
                own = sorted(by_speaker["agent"] + by_speaker["customer"], key=lambda pair: pair[0])
            hit = pos.decide_batch(turns, own)
            if hit is not None:
                hits.append(hit)
        if rules.ratios:
            agent_ms, customer_ms = talk["agent"], talk["customer"]
            for meta, rule in rules.ratios:
                hit = _ratio_hit(meta, rule, agent_ms, customer_ms)
                if hit is not None:
                    hits.append(hit)
        hits.sort(key=self.sort_key)
        return hits

    def session(self) -> LiveSession:
        return LiveSession(self)


class LiveSession:
    """Incremental inspection of a call in progress: feed turns as ASR finalises them.

    Each :meth:`feed` returns the hits that became certain with that turn (so a supervisor
    alert goes out while the call is live); :meth:`finish` returns those only decidable at
    the end (closing phrase missing, talk ratio).
    """

    def __init__(self, inspector: Inspector) -> None:
        self.inspector = inspector
        rules = inspector.rules
        self._rules = rules
        self._stream = _Stream(rules)
        self._pos = [p.live_state() for p in rules.positions]
        self._talk = {"agent": 0, "customer": 0}
        self._count = 0
        self._last_start = 0
        self._finished = False
        self.hits: list[Hit] = []

    def feed(self, turn: Turn | Mapping[str, Any]) -> list[Hit]:
        if self._finished:
            raise RuntimeError("session already finished")
        if not isinstance(turn, Turn):
            turn = Turn.from_dict(turn)
        if turn.start_ms < self._last_start:
            raise ValueError(f"turn {self._count} starts before the previous turn")
        ti, out = self._count, list[Hit]()
        self._count += 1
        self._last_start = turn.start_ms
        found = self._rules.scan(ti, turn, out)
        self._stream.step(ti, turn, found, out)
        for pos, state in zip(self._rules.positions, self._pos, strict=True):
            hit = pos.live_step(state, ti, turn, found)
            if hit is not None:
                out.append(hit)
        self._talk[turn.speaker] += turn.end_ms - turn.start_ms
        out.sort(key=self.inspector.sort_key)
        self.hits += out
        return out

    def finish(self) -> list[Hit]:
        if self._finished:
            raise RuntimeError("session already finished")
        self._finished = True
        out = []
        for pos, state in zip(self._rules.positions, self._pos, strict=True):
            hit = pos.live_finish(state)
            if hit is not None:
                out.append(hit)
        for meta, rule in self._rules.ratios:
            hit = _ratio_hit(meta, rule, self._talk["agent"], self._talk["customer"])
            if hit is not None:
                out.append(hit)
        out.sort(key=self.inspector.sort_key)
        self.hits += out
        return out


def evaluate(scorecard: Scorecard, transcript: Transcript | Iterable[Turn]) -> list[Hit]:
    """One-off convenience; long-running callers keep an :class:`Inspector` per scorecard."""
    return Inspector(scorecard).evaluate(transcript)


__all__ = ["SPEAKERS", "Hit", "Inspector", "LiveSession", "Transcript", "Turn", "evaluate"]
