"""Rosenbrock's banana valley: plain GD crawls, momentum and Adam reach (1, 1).

f = (1 − x)² + 100(y − x²)² has a curved valley whose walls are steep (the first
gradient, at the start (−1.5, 2), is (−155, −50)) while its floor falls only gently
towards the minimum at (1, 1). The walls cap GD's learning rate: at lr = 0.0025 it
flies off within five steps. At lr = 0.001 it is stable, but its steps are lr × the
small gradient of the floor, so after 400 steps it has only crept to (−1.18, 1.40),
loss 4.76.

Momentum with the same lr keeps adding up the floor's steady downhill pull (with
β = 0.95 up to 1/(1 − β) = 20 times the gradient step) while the back-and-forth pulls
of the walls cancel: it zig-zags round the bend and arrives at step 138.

Adam divides each step by the root-mean-square of past gradients, so a gentle floor
gets as long a step as a steep wall. But its default β₂ = 0.999 averages the squared
gradients over about 1000 steps: the huge ones of the first steps still shrink its
steps hundreds of steps later, and it ends the 400 steps at (0.79, 0.62). With
β₂ = 0.9 it forgets them in about 10 steps and arrives first, at step 118. The panel
on the right plots each racer's loss on a log scale (f = 0 at the minimum).
"""

from anim import Scene, surfaces
from anim.optimizers import GD, Adam, Momentum

scene = Scene(
    surface=surfaces.rosenbrock(),
    # GD last: each racer is drawn over the ones before it, and GD's short trail would
    # otherwise be hidden under the others, which follow the same valley floor.
    optimizers=[
        Momentum(lr=1e-3, momentum=0.95),
        Adam(lr=0.1, betas=(0.9, 0.9)),
        Adam(lr=0.1),
        GD(lr=1e-3),
    ],
    steps=400,
    title="Rosenbrock: GD crawls, momentum and Adam reach (1, 1)",
    loss_panel=True,
)
