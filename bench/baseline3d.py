"""The showcase race in 3D as a blog post animates it (Louis Tiao's widely copied
TrajectoryAnimation3D pattern): ``plot_surface`` once, one ``Line3D`` per optimizer moved
with ``set_data`` / ``set_3d_properties``, FuncAnimation redrawing the whole figure every
frame, saved by matplotlib's PillowWriter.

Usage: python bench/baseline3d.py OUT.gif [--steps N]
"""

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter

parser = argparse.ArgumentParser()
parser.add_argument("output")
parser.add_argument("--steps", type=int, default=150)
args = parser.parse_args()
STEPS, FPS, START, LR = args.steps, 30, np.array([-7.0, 2.0]), 0.4


def f(x, y):
    return x**2 / 20 + y**2


def grad(p):
    return np.array([p[0] / 10, 2 * p[1]])


def run(update):
    p, state, path = START.copy(), {}, [START.copy()]
    for _ in range(STEPS):
        p = update(p, grad(p), state)
        path.append(p.copy())
    return np.array(path)


def gd(p, g, s):
    return p - LR * g


def momentum(p, g, s):
    s["b"] = 0.9 * s["b"] + g if "b" in s else g
    return p - LR * s["b"]


def adagrad(p, g, s):
    s["h"] = s.get("h", 0) + g * g
    return p - LR * g / (np.sqrt(s["h"]) + 1e-10)


def rmsprop(p, g, s):
    s["h"] = 0.9 * s.get("h", 0) + 0.1 * g * g
    return p - LR * g / (np.sqrt(s["h"]) + 1e-8)


paths = {"GD": run(gd), "Momentum": run(momentum), "AdaGrad": run(adagrad), "RMSProp": run(rmsprop)}

fig = plt.figure(figsize=(8, 6), dpi=100)
ax = fig.add_subplot(projection="3d", elev=50, azim=-60)
X, Y = np.meshgrid(np.linspace(-10, 10, 240), np.linspace(-5, 5, 240))
ax.plot_surface(X, Y, f(X, Y), cmap="Blues_r", edgecolor="none", alpha=0.8)
ax.plot([0], [0], [0], "*", color="gold", markersize=16, markeredgecolor="k")
lines = [ax.plot([], [], [], "o-", markersize=3, label=name)[0] for name in paths]
ax.legend(loc="upper right")
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.set_zlabel("f")


def update(k):
    for line, path in zip(lines, paths.values()):
        line.set_data(path[: k + 1, 0], path[: k + 1, 1])
        line.set_3d_properties(f(path[: k + 1, 0], path[: k + 1, 1]))
    ax.set_title(f"f = x²/20 + y²   step {k} / {STEPS}")
    return lines


animation = FuncAnimation(fig, update, frames=STEPS + 1, interval=1000 / FPS, blit=False)
animation.save(args.output, writer=PillowWriter(fps=FPS), dpi=100)
