"""Write src/cellwright/data/electrolyte_transport.csv: conductivity and diffusivity of the
library's LiPF6 carbonate electrolytes against salt concentration, at 298.15 K.

[nyman2008] A. Nyman, M. Behm, G. Lindbergh (2008), LiPF6 in EC:EMC (3:7), as coded in PyBaMM's
Chen2020 parameter set (electrolyte_conductivity_Nyman2008, electrolyte_diffusivity_Nyman2008),
c in mol/L:
    kappa(c) = 0.1297 c^3 - 2.51 c^1.5 + 3.329 c            S/m
    D_e(c)   = 8.794e-11 c^2 - 3.972e-10 c + 4.862e-10       m2/s
LiPF6-EC-DMC uses the same fits (assumption: no separate EC:DMC set in the library).

    python tools/make_electrolyte_table.py
"""

from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "src" / "cellwright" / "data" / "electrolyte_transport.csv"


def kappa(c):
    return 0.1297 * c**3 - 2.51 * c**1.5 + 3.329 * c


def diffusivity(c):
    return 8.794e-11 * c**2 - 3.972e-10 * c + 4.862e-10


def main():
    c = np.linspace(0.0, 3.0, 61)  # mol/L
    lines = ["material,c_mol_m3,conductivity_S_m,diffusivity_m2_s,source"]
    for name, src in (("LiPF6-EC-EMC", "nyman2008"), ("LiPF6-EC-DMC", "cellwright-assumption")):
        for ci in c:
            lines.append(f"{name},{ci * 1000:.1f},{kappa(ci):.6g},{diffusivity(ci):.6g},{src}")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(lines) - 1} rows)")


if __name__ == "__main__":
    main()
