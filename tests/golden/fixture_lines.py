"""The line format of the fixture files (tests/fixture_format.h reads it): after the line's
keyword(s), `float64 NDIM DIMS... VALUES...`, every value in repr's exact spelling."""
import torch


def float64_line(kind, t):
    t = t.detach().contiguous().to(torch.float64)
    dims = " ".join(str(d) for d in t.shape)
    values = " ".join(repr(v) for v in t.flatten().tolist())
    return f"{kind} float64 {t.dim()} {dims} {values}".replace("  ", " ").rstrip()
