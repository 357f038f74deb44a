"""Adam's relatives: the same idea with one change each, and one change is fatal here.

Five members of the Adam family race on Beale's function from (1, 1.5) with the same
lr = 0.3. Adam divides a momentum average of the gradient by a running measure of the
gradient's size, so a steep slope does not make its steps huge: its first step is 0.3
in each coordinate. Its relatives change one detail each, and on this surface, whose
first gradient is (34.5, 92.5) while the valley floor near the minimum is almost flat,
each change shows:

- Adam swings wide, down to y = −0.64, and arrives at step 63. NAdam, which adds a
  Nesterov look-ahead to the momentum, swings less and cuts inside Adam's loop, but
  arrives at about the same time, at step 66.
- AdamW also shrinks the position towards (0, 0) by lr × weight_decay (its default
  0.01) = 0.3 % per step. It follows Adam's path (and is drawn over it) until near
  the minimum (3, 0.5), where that pull, about 0.008 per step, works against Adam's
  own steps, which are small there: it creeps in and arrives at step 158.
- Adamax replaces Adam's average of squared gradients by a maximum of |gradient| that
  forgets only 0.1 % per step. Adam's average gives the steep first gradient a weight
  of about 1/t after t steps; Adamax keeps dividing by almost that first gradient,
  (34.5, 92.5), so its steps on the floor stay tiny and it arrives at step 274.
- RAdam does not trust its gradient-size estimate for the first steps and takes plain
  momentum steps of lr × gradient instead. Here its first step is
  −0.3 × (34.5, 92.5) = (−10.35, −27.75): it lands far off the board at
  (−9.35, −26.25) and diverges at step 2. An lr chosen for Adam's normalized steps
  can be far too big for RAdam's un-normalized warm-up.
"""

from anim import Scene, surfaces
from anim.optimizers import Adam, Adamax, AdamW, NAdam, RAdam

LEARNING_RATE = 0.3

scene = Scene(
    surface=surfaces.beale(),
    # AdamW last, so that its slow finish is drawn on top of Adam's path, which it
    # follows almost exactly until near the minimum.
    optimizers=[
        RAdam(lr=LEARNING_RATE),
        Adamax(lr=LEARNING_RATE),
        NAdam(lr=LEARNING_RATE),
        Adam(lr=LEARNING_RATE),
        AdamW(lr=LEARNING_RATE),
    ],
    steps=300,
    title="Adam family at lr = 0.3: RAdam blows up, Adamax lags",
)
