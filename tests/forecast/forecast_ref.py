#!/usr/bin/python3
"""forecast_ref.py — independent reference values for tests/check_forecast.c.

Run:  /usr/bin/python3 tests/forecast/forecast_ref.py   (python3-numpy, python3-scipy)

On the 1001 closes of msref.py (close_0 = 0.5, then the GARCH log returns)
it computes, with numpy and scipy.stats.norm, for horizon h = 30 days:
  naive  sigma = sample stdev (ddof 1) of the last 365 log returns,
         ln(S_h/S_0) ~ N(0, h sigma^2)
  drift  mu = mean of the same returns, ln(S_h/S_0) ~ N(mu h, h sigma^2)
  ewma   sigma^2 starts at mean(r^2) of the window, then
         sigma^2 <- 0.94 sigma^2 + 0.06 r_t^2 over the window
  garch  (closed form, paths = 0) the scipy MLE of garch_ref.py on the
         last 1000 returns, V_30 = sum of E[sigma^2_{n+k}], k = 1..30
and prints the 5/10/25/50/75/90/95 % price quantiles and P(S_h > level)
for levels 0.8 S_0, S_0, 1.2 S_0, as C initialisers to paste.
"""
import math

import numpy as np
from scipy.stats import norm

import msref
from garch_ref import loglik
from scipy.optimize import minimize

H = 30
Q = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95]


def show(name, s0, m, sd):
    qs = [s0 * math.exp(m + sd * norm.ppf(q)) for q in Q]
    levels = [0.8 * s0, s0, 1.2 * s0]
    pa = [norm.sf((math.log(lv / s0) - m) / sd) for lv in levels]
    print("/* %s: log mean %.17g, log sd %.17g */" % (name, m, sd))
    print("{ " + ", ".join("%.17g" % v for v in qs) + " },")
    print("{ " + ", ".join("%.17g" % v for v in pa) + " },")


def garch_mle(r):
    e = r - r.mean()
    var0 = float(np.mean(e ** 2))

    def nll(x):
        if x[0] <= 0 or x[1] < 0 or x[2] < 0 or x[1] + x[2] >= 1:
            return 1e300
        ll, _ = loglik(e, x[0] * var0, x[1], x[2], var0)
        return -ll

    best = None
    for x0 in [(0.05, 0.05, 0.90), (0.2, 0.15, 0.70), (0.5, 0.3, 0.3)]:
        res = minimize(nll, np.array(x0), method="Nelder-Mead",
                       options={"xatol": 1e-12, "fatol": 1e-12,
                                "maxiter": 20000})
        if best is None or res.fun < best.fun:
            best = res
    om, al, be = best.x[0] * var0, best.x[1], best.x[2]
    ll, s2n = loglik(e, om, al, be, var0)
    return om, al, be, ll, s2n


def main():
    c = np.array(msref.prices())
    s0 = float(c[-1])
    r = np.diff(np.log(c))
    w = r[-365:]
    print("/* forecast_ref.py: S_0 = %.17g, %d closes, h = %d */"
          % (s0, len(c), H))
    sd = float(np.std(w, ddof=1))
    mu = float(np.mean(w))
    show("naive", s0, 0.0, sd * math.sqrt(H))
    show("drift", s0, mu * H, sd * math.sqrt(H))
    s2 = float(np.mean(w ** 2))
    for x in w:
        s2 = 0.94 * s2 + 0.06 * x * x
    print("/* ewma sigma %.17g */" % math.sqrt(s2))
    show("ewma", s0, 0.0, math.sqrt(H * s2))
    om, al, be, ll, s2n = garch_mle(r[-1000:])
    v = 0.0
    s = s2n
    for _ in range(H):
        v += s
        s = om + (al + be) * s
    print("/* garch MLE omega %.17g alpha %.17g beta %.17g ll %.17g */"
          % (om, al, be, ll))
    show("garch closed form", s0, 0.0, math.sqrt(v))


if __name__ == "__main__":
    main()
