#!/usr/bin/python3
"""garch_ref.py — independent reference values for tests/check_garch.c.

Run:  /usr/bin/python3 tests/forecast/garch_ref.py     (needs python3-numpy, python3-scipy)

On the deterministic series of msref.py (1000 GARCH(1,1) log returns,
omega 2e-5, alpha 0.10, beta 0.85, mean 0.001, LCG seed 12345) it prints:
  1. the Gaussian GARCH(1,1) log-likelihood of the demeaned returns at
     fixed parameters, sigma2_1 = (1/n) sum e_t^2, computed with numpy;
  2. the maximum-likelihood estimate found by scipy's SLSQP directly on
     (omega, alpha, beta) with bounds and the constraint alpha + beta < 1,
     from several starting points (a different optimiser and a different
     parametrisation from the C code's Nelder-Mead on a transformed space);
  3. the 30-day aggregated variance forecast at that estimate.
The C test pastes these numbers; re-run this script if msref.py changes.
"""
import math

import numpy as np
from scipy.optimize import minimize

import msref


def loglik(e, omega, alpha, beta, var0):
    """Gaussian GARCH(1,1) log-likelihood; returns (ll, sigma2_{n+1})."""
    n = len(e)
    s2 = np.empty(n + 1)
    s2[0] = var0
    for t in range(n):
        s2[t + 1] = omega + alpha * e[t] ** 2 + beta * s2[t]
    sig = s2[:n]
    ll = -0.5 * np.sum(np.log(2 * np.pi) + np.log(sig) + e ** 2 / sig)
    return float(ll), float(s2[n])


def main():
    r = np.array(msref.garch_returns())
    e = r - r.mean()
    var0 = float(np.mean(e ** 2))
    print("/* garch_ref.py: n = %d, mean = %.17g, var0 = %.17g */"
          % (len(r), r.mean(), var0))
    print("/* log-likelihood at fixed parameters */")
    for om, al, be in [(2e-5, 0.10, 0.85), (1e-5, 0.05, 0.90),
                       (5e-5, 0.20, 0.50), (3e-4, 0.0, 0.0)]:
        ll, s2n = loglik(e, om, al, be, var0)
        print("{ %.17g, %.17g, %.17g, %.17g, %.17g }," % (om, al, be, ll, s2n))

    # MLE with SLSQP on (omega / var0, alpha, beta).
    def nll(x):
        ll, _ = loglik(e, x[0] * var0, x[1], x[2], var0)
        return -ll if np.isfinite(ll) else 1e300

    cons = [{"type": "ineq", "fun": lambda x: 1.0 - 1e-9 - x[1] - x[2]}]
    bounds = [(1e-10, 10.0), (0.0, 1.0), (0.0, 1.0)]
    best = None
    for x0 in [(0.05, 0.05, 0.90), (0.2, 0.15, 0.70), (0.5, 0.3, 0.3),
               (0.02, 0.02, 0.97)]:
        res = minimize(nll, np.array(x0), method="SLSQP", bounds=bounds,
                       constraints=cons,
                       options={"ftol": 1e-14, "maxiter": 2000})
        if best is None or res.fun < best.fun:
            best = res
    # Polish with Nelder-Mead inside the feasible region.
    res = minimize(nll, best.x, method="Nelder-Mead",
                   options={"xatol": 1e-12, "fatol": 1e-12, "maxiter": 20000})
    if res.fun < best.fun and res.x[1] + res.x[2] < 1 and min(res.x) >= 0:
        best = res
    om, al, be = best.x[0] * var0, best.x[1], best.x[2]
    ll, s2n = loglik(e, om, al, be, var0)
    print("/* scipy MLE: omega, alpha, beta, loglik, sigma2_next */")
    print("{ %.17g, %.17g, %.17g, %.17g, %.17g }," % (om, al, be, ll, s2n))
    # 30-day variance: closed-form geometric sum of E[sigma2_{n+k}].
    phi = al + be
    sbar = om / (1 - phi)
    v30 = 30 * sbar + (s2n - sbar) * (1 - phi ** 30) / (1 - phi)
    print("/* V_30 at the MLE (geometric-sum formula) */ %.17g" % v30)


if __name__ == "__main__":
    main()
