"""Any torch optimizer races: torch's Adam against Lion and AdaBelief from pytorch_optimizer.

``from_torch`` runs a real ``torch.optim.Optimizer`` subclass in float64, one optimizer per
start point, calling ``step(closure)`` exactly as a training loop does. Lion (Chen et
al., 2023) moves every coordinate by ±lr (the sign of a momentum blend), so it marches
in fixed-size diagonal steps and keeps jittering around the minimum of Beale's function;
Adam's and AdaBelief's steps shrink as they settle. Needs ``pip install 'anim[torch]'``.
"""

import pytorch_optimizer
import torch

from anim import Scene, surfaces
from anim.optimizers import from_torch

scene = Scene(
    surface=surfaces.beale(),
    optimizers=[
        from_torch(torch.optim.Adam, lr=0.1, label="torch Adam lr=0.1"),
        from_torch(pytorch_optimizer.Lion, lr=0.03),
        from_torch(pytorch_optimizer.AdaBelief, lr=0.1),
    ],
    start=(1.0, 1.5),
    steps=200,
    loss_panel=True,
    title="torch.optim.Adam vs pytorch_optimizer's Lion and AdaBelief",
)
