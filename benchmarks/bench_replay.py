"""Pair-replay throughput against the device's memory-bandwidth roofline, and against a naive loop.

    python benchmarks/bench_replay.py [--device cuda] [--K 1024] [--D 16384] [--steps 200]

Measured in one run, on one device:

* roofline: a large device-to-device copy (bytes read + written per second);
* the pair replay (method + accelerated form, K configurations x D coordinates, in lockstep, same
  noise; no sensitivity run) in element-steps per second, plain and fused (``torch.compile``), and
  the bandwidth it implies from the bytes a pair step must move:
  every state element of both forms read and written once (Schedule-Free: z, x | w, m, x_bar ->
  10 accesses per element-step);
* the naive way: one replay object per configuration (K = 1) looped over configurations, timed on
  a few configurations and scaled to K;
* per-method throughput of the Adam-preconditioned methods (their extra state counted).

On CPU the default size is K x D = 64 x 4096 (said in the output); targets apply to an H100.
"""
from __future__ import annotations

import argparse
import time

import torch

from equivalences import registry
from equivalences.derivation import derivation
from numeric.problems import NoisyLeastSquares
from numeric.replay import PairReplay
from numeric.sweep import sample


def roofline(device, dtype, nbytes):
    n = nbytes // torch.finfo(dtype).bits * 8
    a = torch.empty(n, dtype=dtype, device=device).uniform_()
    b = torch.empty_like(a)
    for _ in range(3):
        b.copy_(a)
    sync(device)
    reps = 10
    t0 = time.perf_counter()
    for _ in range(reps):
        b.copy_(a)
    sync(device)
    return 2 * a.numel() * a.element_size() * reps / (time.perf_counter() - t0)


def sync(device):
    if str(device).startswith("cuda"):
        torch.cuda.synchronize()


def accesses(method, pair):
    """State tensors of both forms (transform states included), each read and written once per step."""
    n_states = pair.ours.n + pair.acc.n + 2 * sum(pair.ours.transforms.stateful)
    return 2 * n_states


def time_pair(method, mp, cfg, D, steps, dtype, device, fuse):
    problem = NoisyLeastSquares(D, dtype=dtype, device=device, noise="device")
    pair = PairReplay(method, mp, steps=steps, cfg=cfg, problem=problem, dtype=dtype, device=device, fuse=fuse)
    warm = PairReplay(method, mp, steps=min(steps, 5), cfg=cfg, problem=problem, dtype=dtype, device=device,
                      fuse=False)
    if pair.fused:  # compile outside the timed run
        pair.steps, full = 3, pair.steps
        pair.run(sensitivity=False)
        pair.steps = full
    warm.run(sensitivity=False)
    res = pair.run(sensitivity=False)
    pair.result = res
    return cfg.batch * D * steps / res.seconds, pair


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--K", type=int, default=None)
    ap.add_argument("--D", type=int, default=None)
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--naive-configs", type=int, default=4)
    args = ap.parse_args()
    dev = args.device
    gpu = dev.startswith("cuda")
    K = args.K or (1024 if gpu else 64)
    D = args.D or (16384 if gpu else 4096)
    T = args.steps or (200 if gpu else 50)
    name = torch.cuda.get_device_name() if gpu else "CPU"
    print(f"device: {name} ({dev}); K x D = {K} x {D}, {T} steps" + ("" if gpu else " (CPU size)"))
    sf = registry.get("schedule-free")
    mp = derivation(sf).map
    for dtype in (torch.float32, torch.float64):
        item = torch.finfo(dtype).bits // 8
        roof = roofline(dev, dtype, (1 << 30) if gpu else (1 << 28))
        print(f"\n{str(dtype)[6:]}: roofline (device-to-device copy) {roof / 1e9:.0f} GB/s")
        cfg = sample(sf, K, seed=0)
        modes = [("plain", False), ("fused", True)]
        best = 0.0
        for label, fuse in modes:
            try:
                rate, pair = time_pair(sf, mp, cfg, D, T, dtype, dev, fuse)
            except Exception as err:  # noqa: BLE001
                print(f"  {label:13s} failed: {type(err).__name__}: {str(err).splitlines()[0][:100]}")
                continue
            bw = rate * accesses(sf, pair) * item
            best = max(best, rate)
            print(f"  {label:13s} {rate:.3e} element-steps/s = {bw / 1e9:.0f} GB/s = {100 * bw / roof:.0f}% of roofline "
                  f"({accesses(sf, pair) * item} B per element-step)")
        # naive: one replay per configuration, looped
        n = min(args.naive_configs, K)
        t0 = time.perf_counter()
        for i in range(n):
            time_pair(sf, mp, cfg.row(i), D, T, dtype, dev, False)
        per_config = (time.perf_counter() - t0) / n
        naive_rate = D * T / per_config
        print(f"  naive loop    {naive_rate:.3e} element-steps/s (one replay object per configuration, "
              f"{n} timed, scaled to {K}); batched is {best / naive_rate:.0f}x faster")
    print("\nAdam-preconditioned methods, float32:")
    for key in ("schedule-free-adamw", "mars", "ademamix", "accelerated-adamw"):
        m = registry.get(key)
        mpk = derivation(m).map
        cfg = sample(m, K, seed=0)
        rate, pair = time_pair(m, mpk, cfg, D, T, torch.float32, dev, gpu)
        r = pair.result
        print(f"  {key:20s} {rate:.3e} element-steps/s ({accesses(m, pair) * 4} B per element-step; "
              f"{100 * r.per_config_passed.mean():.0f}% of configurations within tolerance without the "
              f"sensitivity run)")


if __name__ == "__main__":
    main()
