"""msref.py — the deterministic test series shared by the Python reference
scripts in tests/forecast/ and the C tests (tests/check_garch.c,
tests/check_forecast.c, tests/check_target.c), which re-implement it.

Only integer arithmetic, +, *, sqrt and exp are used, so both languages
produce the same doubles (up to libm's exp, correctly rounded in glibc).

  LCG64     s <- s * 6364136223846793005 + 1442695040888963407 (mod 2^64)
            u = (s >> 11) * 2^-53, in [0, 1)
  normal    z = (u_1 + ... + u_12) - 6          (Irwin-Hall, summed in order)
  garch     sigma2_1 = omega / (1 - alpha - beta)
            e_t = sqrt(sigma2_t) * z_t
            sigma2_{t+1} = omega + alpha * e_t * e_t + beta * sigma2_t
            r_t = mu + e_t
  prices    close_0 = p0, close_t = close_{t-1} * exp(r_t)
"""
import math

MASK = (1 << 64) - 1
LCG_A = 6364136223846793005
LCG_C = 1442695040888963407

# The series every test uses.
SEED = 12345
OMEGA, ALPHA, BETA, MU = 2e-5, 0.10, 0.85, 0.001
NRET = 1000
P0 = 0.5


class Lcg:
    def __init__(self, seed):
        self.s = seed & MASK

    def uniform(self):
        self.s = (self.s * LCG_A + LCG_C) & MASK
        return (self.s >> 11) * (1.0 / 9007199254740992.0)

    def normal(self):
        acc = 0.0
        for _ in range(12):
            acc += self.uniform()
        return acc - 6.0


def garch_returns(seed=SEED, n=NRET, omega=OMEGA, alpha=ALPHA, beta=BETA,
                  mu=MU):
    g = Lcg(seed)
    s2 = omega / (1.0 - alpha - beta)
    out = []
    for _ in range(n):
        e = math.sqrt(s2) * g.normal()
        out.append(mu + e)
        s2 = omega + alpha * e * e + beta * s2
    return out


def prices(seed=SEED, n=NRET, p0=P0):
    c = [p0]
    for r in garch_returns(seed, n):
        c.append(c[-1] * math.exp(r))
    return c
