"""RMSProp vs AdaGrad, in Japanese: the race of the blog post anim grew from.

The showcase's race (GD, Momentum, AdaGrad and RMSProp, all at learning rate 0.4, on the
valley f = x²/20 + y² from (-7, 2)) with a Japanese title and labels, and
``language="ja"`` for the words the picture writes itself: the statuses ("1位 · 18ステップ"),
the step counter and the panel's axis labels. Characters the main font (DejaVu Sans)
lacks are drawn with an installed font that has them: ``pip install 'anim[cjk]'`` brings
Noto Sans CJK JP.
"""

from anim import Scene, surfaces
from anim.optimizers import GD, AdaGrad, Momentum, RMSProp

LEARNING_RATE = 0.4

scene = Scene(
    surface=surfaces.ravine(),
    optimizers=[
        GD(lr=LEARNING_RATE, label="勾配降下法（GD）"),
        Momentum(lr=LEARNING_RATE, momentum=0.9, label="Momentum（慣性 0.9）"),
        AdaGrad(lr=LEARNING_RATE, label="AdaGrad"),
        RMSProp(lr=LEARNING_RATE, rho=0.9, label="RMSProp（ρ = 0.9）"),
    ],
    start=(-7, 2),
    steps=150,
    title="同じ学習率 0.4：RMSPropが先にゴールへ、AdaGradは失速",
    language="ja",
)
