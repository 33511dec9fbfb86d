#!/usr/bin/python3
"""target_ref.py — independent reference values for tests/check_target.c.

Run:  /usr/bin/python3 tests/forecast/target_ref.py   (python3-numpy, python3-scipy)

For ln(S_t/S_0) = nu t + sigma W_t (per-day units) and a target B it
computes P(touch B within T days) three ways and checks they agree:
  closed  the running-maximum formula of docs/models/target.md,
          N((-b + nu T)/(sigma sqrt T)) + exp(2 nu b / sigma^2) N((-b - nu T)/(sigma sqrt T)),
          b = ln(B/S_0) > 0 (reflected for B < S_0), with scipy.stats.norm;
  fpt     numerical integral over [0, T] of the first-passage-time density
          of Brownian motion with drift (inverse Gaussian),
          f(t) = |b| / (sigma sqrt(2 pi t^3)) exp(-(b - nu t)^2 / (2 sigma^2 t));
  joint   (first cases only) a double integral of the joint density of
          (W_T, max W) for Brownian motion with drift a (Shreve, Stochastic
          Calculus for Finance II, 2004, section 7.2.1), in units of sigma:
          f(m, w) = 2(2m - w) / (T sqrt(2 pi T)) exp(a w - a^2 T/2 - (2m - w)^2 / (2T)),
          w <= m, m >= 0.
and P(S_T >= B) = Q((b - nu T)/(sigma sqrt T)). It prints a C table
{ s0, B, nu, sigma, T, touch, above } to paste, and the hand value 2 Q(ln 2).
"""
import math

import numpy as np
from scipy import integrate
from scipy.stats import norm

CASES = [
    # s0, target, nu, sigma, T
    (1.0, 2.0, 0.0, 0.04, 365.0),
    (1.0, 2.0, 0.001, 0.04, 365.0),
    (1.0, 2.0, -0.002, 0.04, 365.0),
    (1.0, 0.5, 0.001, 0.04, 365.0),
    (1.0, 0.5, -0.001, 0.03, 730.0),
    (100.0, 150.0, 0.0005, 0.02, 30.0),
    (0.5010, 500.0, 0.0, 0.0376, 365.0),
    (0.5010, 500.0, 0.0, 0.0376, 1825.0),
    (0.5010, 500.0, 0.0, 0.0376, 3650.0),
    (0.5010, 500.0, 0.00115, 0.0376, 3650.0),
    (0.5010, 500.0, 0.0, 0.0273, 365.0),
    (1.0, 1000.0, 0.006, 0.01, 1000.0),
    (1.0, 1000.0, -0.003, 0.05, 3650.0),
]


def closed(s0, B, nu, sig, T):
    b = math.log(B / s0)
    if b < 0:
        b, nu = -b, -nu
    st = sig * math.sqrt(T)
    return (norm.cdf((-b + nu * T) / st)
            + math.exp(2 * nu * b / sig ** 2 + norm.logcdf((-b - nu * T) / st)))


def fpt(s0, B, nu, sig, T):
    b = math.log(B / s0)

    def f(t):
        return abs(b) / (sig * math.sqrt(2 * math.pi * t ** 3)) * \
            math.exp(-(b - nu * t) ** 2 / (2 * sig ** 2 * t))
    # Split at the density's bulk so quad sees its peak.
    pts = sorted(set([T * x for x in (1e-4, 1e-3, 1e-2, 0.1, 0.5)]))
    v, _ = integrate.quad(f, 0, T, points=pts, epsabs=0, epsrel=1e-12,
                          limit=500)
    return v


def joint(s0, B, nu, sig, T):
    # Brownian motion with drift a = nu/sigma, barrier m0 = b/sigma (b > 0).
    a = nu / sig
    m0 = math.log(B / s0) / sig

    def dens(w, m):
        return (2 * (2 * m - w) / (T * math.sqrt(2 * math.pi * T))
                * math.exp(a * w - a * a * T / 2 - (2 * m - w) ** 2 / (2 * T)))
    top = m0 + 12 * math.sqrt(T) + abs(a) * T
    v, _ = integrate.dblquad(dens, m0, top, lambda m: m - 2 * top,
                             lambda m: m, epsabs=1e-13, epsrel=1e-11)
    return v


def main():
    print("/* target_ref.py: s0, target, nu, sigma, T, touch, above */")
    worst = 0.0
    for i, (s0, B, nu, sig, T) in enumerate(CASES):
        c = closed(s0, B, nu, sig, T)
        q = fpt(s0, B, nu, sig, T)
        rel = abs(c - q) / max(c, 1e-300)
        worst = max(worst, rel)
        if i < 3:
            j = joint(s0, B, nu, sig, T)
            assert abs(j - c) < 1e-8, (i, j, c)
        b = math.log(B / s0)
        above = norm.sf((b - nu * T) / (sig * math.sqrt(T)))
        print("{ %.17g, %.17g, %.17g, %.17g, %.17g, %.17g, %.17g },"
              % (s0, B, nu, sig, T, c, above))
    print("/* closed form vs first-passage integral: worst relative "
          "difference %.2e */" % worst)
    assert worst < 1e-8
    print("/* 2 Q(ln 2) = %.17g */" % (2 * norm.sf(math.log(2))))


if __name__ == "__main__":
    main()
