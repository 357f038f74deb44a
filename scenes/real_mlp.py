"""What does a real loss look like? A 2-48-48-2 MLP (2,594 parameters) is trained on two
moons for real, with SGD, Momentum and Adam from the same initial weights, in mini-batches
of 64; the three runs are projected onto the PCA plane of all three together and replayed
over the model's loss on that plane. The scoreboard shows each run's true training loss,
the panels how far each run is from the plane and how much the contours under its head
miss its true loss. (scenes/real_mlp_race.py races anim's optimizers on the same slice.)
"""

import copy

import numpy as np
import torch

import anim


def two_moons(count=600, noise=0.15, seed=0):
    """Two interleaving half circles, labelled 0 and 1, with Gaussian noise."""
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, np.pi, count)
    label = rng.integers(0, 2, count)
    x = np.where(label == 0, np.cos(angle), 1 - np.cos(angle))
    y = np.where(label == 0, np.sin(angle), 0.5 - np.sin(angle))
    points = np.column_stack([x, y]) + noise * rng.standard_normal((count, 2))
    return torch.from_numpy(points.astype(np.float32)), torch.from_numpy(label)


inputs, labels = two_moons()
torch.manual_seed(0)
model = torch.nn.Sequential(
    torch.nn.Linear(2, 48),
    torch.nn.Tanh(),
    torch.nn.Linear(48, 48),
    torch.nn.Tanh(),
    torch.nn.Linear(48, 2),
)
loss_fn = torch.nn.CrossEntropyLoss()


def train(make_optimizer, label, steps=120, batch=64):
    """A plain training loop, recorded after every optimizer step."""
    net = copy.deepcopy(model)  # every run starts from the same weights
    optimizer = make_optimizer(net.parameters())
    batches = np.random.default_rng(1)  # and sees the same mini-batches
    with anim.record(net, optimizer, label=label) as run:
        for _ in range(steps):
            rows = torch.from_numpy(batches.choice(len(inputs), batch, replace=False))
            optimizer.zero_grad()
            loss = loss_fn(net(inputs[rows]), labels[rows])
            loss.backward()
            run.note_loss(loss)
            optimizer.step()
    return run.recording


# Steps this small only pay for threads (on a busy machine, many times over).
threads = torch.get_num_threads()
torch.set_num_threads(1)
try:
    runs = [
        train(lambda p: torch.optim.SGD(p, lr=0.3), "SGD lr=0.3"),
        train(lambda p: torch.optim.SGD(p, lr=0.3, momentum=0.9), "Momentum lr=0.3 β=0.9"),
        train(lambda p: torch.optim.Adam(p, lr=0.01), "Adam lr=0.01"),
    ]
finally:
    torch.set_num_threads(threads)

# The loss over all 600 samples on the PCA plane of the three runs (cached on disk after
# the first render).
view = anim.trajectories(runs, model, loss_fn, (inputs, labels), resolution=81)
scene = view.scene(fps=20)
