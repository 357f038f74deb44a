"""The words a picture and its page show, one table per language.

``Scene(language="ja")`` (or ``--language ja``) picks a table; everything the figure and
the page write themselves — the scoreboard's statuses, the step counter, the panels' axis
labels, the key of the step glyphs, the page's tooltip and speed menu — comes from it.
The scene's own texts (title, labels) are the scene's to write in any language.

A template names its values in braces. Rules every table keeps (a test checks them):
- ``place`` is ``"{ordinal}"`` for English ordinals (1st, 2nd, 23rd) or a template of
  ``{n}``;
- the step counter's text after ``{step}`` is ASCII: the counter is drawn in a monospaced
  font, its digits over blanks left for them, and only ASCII keeps every character as wide
  as a blank.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal


@dataclass(frozen=True)
class Words:
    #: A finishing place: "{ordinal}" (English: 1st, 2nd) or e.g. "{n}位".
    place: str
    arrived: str  # "{place} · step {step}"
    arrived_at: str  # appended when any minimum counts: " at ({x}, {y})"
    diverged: str  # "✗ step {step}"
    counter: str  # "step {step} / {steps}"
    swarm_arrived: str  # "{arrived}/{count} arrived"
    swarm_median: str  # " · median step {median}"
    swarm_diverged: str  # " · {count} ✗"
    step_axis: str  # the panels' x axis
    loss_to_goal: str  # the loss panel's y axis, when the goal is the lowest point
    loss_to_lowest: str  # ... when racers went lower than the goal
    effective_lr: str  # the lr panel's y axis
    key_arrows: str  # the step glyphs' key: "arrows ×{magnify}: ..."
    key_box: str  # "┄ box: lr/√h per axis (×{scale})"
    tip_step: str  # the page's tooltip: "step {step}"
    tip_projected: str  # ... over a projected training run: what it is
    speed: str  # the page's speed menu
    # The page's knobs (anim/knobs.py): their title, lock, captions, marks and chart.
    knob_title: str  # "learning rate"
    knob_lock: str  # "same rate for all"
    knob_arrives: str  # "arrives at step {step}"
    knob_flies_off: str  # "✗ flies off at step {step}"
    knob_no_arrival: str  # "no arrival"
    knob_fixed: str  # "fixed path: {reason}"
    knob_scene: str  # the mark of the scene's rate
    knob_best: str  # ... of the tuned optimum
    knob_edge: str  # ... of the last rate before divergence
    knob_chart: str  # the chart's y axis: "arrival step"
    knob_chart_key: str  # "★ tuned · × no arrival · ✗ diverged"
    knob_pad_key: str  # "darker: sooner · grey: no arrival · ✗ diverged"

    def ordinal(self, n: int) -> str:
        """Place ``n`` as this language writes it."""
        if self.place == "{ordinal}":
            suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
            return f"{n}{suffix}"
        return self.place.format(n=n)

    def as_dict(self) -> dict[str, str]:
        """The templates, for the page's script (which fills them in the same way)."""
        return asdict(self)


ENGLISH = Words(
    place="{ordinal}",
    arrived="{place} · step {step}",
    arrived_at=" at ({x}, {y})",
    diverged="✗ step {step}",
    counter="step {step} / {steps}",
    swarm_arrived="{arrived}/{count} arrived",
    swarm_median=" · median step {median}",
    swarm_diverged=" · {count} ✗",
    step_axis="step",
    loss_to_goal="f − f(goal)",
    loss_to_lowest="f − lowest f reached",
    effective_lr="effective lr |Δx|/|g|",
    key_arrows="arrows ×{magnify}:  ─▶ step taken   ▷ −lr·∇f   ▶ velocity −lr·v",
    key_box="┄ box: lr/√h per axis (×{scale})",
    tip_step="step {step}",
    tip_projected="projected training run: its recording replayed, not a race on this slice",
    speed="speed",
    knob_title="learning rate",
    knob_lock="same rate for all",
    knob_arrives="arrives at step {step}",
    knob_flies_off="✗ flies off at step {step}",
    knob_no_arrival="no arrival",
    knob_fixed="fixed path: {reason}",
    knob_scene="scene",
    knob_best="best",
    knob_edge="edge",
    knob_chart="arrival step",
    knob_chart_key="★ tuned · × no arrival · ✗ diverged",
    knob_pad_key="darker: sooner · grey: no arrival · ✗ diverged",
)

JAPANESE = Words(
    place="{n}位",
    arrived="{place} · {step}ステップ",
    arrived_at=" · ({x}, {y})",
    diverged="✗ {step}ステップで発散",
    counter="ステップ {step} / {steps}",
    swarm_arrived="{arrived}/{count} 到着",
    swarm_median=" · 中央値 {median}ステップ",
    swarm_diverged=" · {count} ✗",
    step_axis="ステップ",
    loss_to_goal="f − f(ゴール)",
    loss_to_lowest="f − 到達した最小の f",
    effective_lr="実効学習率 |Δx|/|g|",
    key_arrows="矢印 ×{magnify}:  ─▶ 実際の更新   ▷ −lr·∇f   ▶ 速度 −lr·v",
    key_box="┄ 箱: 各軸の lr/√h (×{scale})",
    tip_step="ステップ {step}",
    tip_projected="実際の学習の射影: 記録の再生で、この断面上の競走ではない",
    speed="速度",
    knob_title="学習率",
    knob_lock="全員同じ学習率",
    knob_arrives="{step}ステップで到着",
    knob_flies_off="✗ {step}ステップで発散",
    knob_no_arrival="到着せず",
    knob_fixed="固定の経路: {reason}",
    knob_scene="シーン",
    knob_best="最適",
    knob_edge="限界",
    knob_chart="到着ステップ",
    knob_chart_key="★ 最適 · × 到着せず · ✗ 発散",
    knob_pad_key="濃いほど早い · 灰色: 到着せず · ✗ 発散",
)

#: The languages anim writes its own words in (the keys of ``LANGUAGES``).
Language = Literal["en", "ja"]
LANGUAGES: dict[Language, Words] = {"en": ENGLISH, "ja": JAPANESE}


def check_language(language: object) -> Language:
    """``language`` if anim has its words, else a ValueError listing the languages."""
    if language not in LANGUAGES:
        raise ValueError(f"Invalid language: {language!r} (choose from {', '.join(LANGUAGES)})")
    return language


def words_for(language: str = "en") -> Words:
    """The words of ``language``, or a ValueError listing the languages."""
    return LANGUAGES[check_language(language)]
