"""The material library and the data tables: complete, consistent, and every number sourced."""

import csv
import tomllib
from importlib import resources

import numpy as np
import pytest

from cellwright import materials, presets
from cellwright.errors import SpecError
from cellwright.sources import bibliography

ACTIVE_PROPS = (
    "specific_capacity_mAh_g",
    "theoretical_capacity_mAh_g",
    "first_cycle_efficiency",
    "density_g_cm3",
    "particle_radius_um",
    "x_discharged",
    "x_charged",
)
REQUIRED = {
    "cathode_active": {"LFP", "LMFP", "NMC622", "NMC811", "NCA", "LMO"},
    "anode_active": {"graphite-artificial", "graphite-natural", "SiOx-graphite", "LTO"},
    "conductive": {"carbon-black"},
    "binder": {"PVDF", "CMC-SBR"},
    "electrolyte": {"LiPF6-EC-EMC"},
    "separator": {"PE", "PP", "PE-ceramic"},
    "foil": {"Al-foil", "Cu-foil"},
    "casing": {"Al-3003", "steel-Ni-plated", "Al-laminate"},
}


def data_text(name):
    return (resources.files("cellwright") / "data" / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", sorted(REQUIRED))
def test_library_has_the_materials_the_issue_names(kind):
    assert REQUIRED[kind] <= set(materials.names(kind))


@pytest.mark.parametrize("name", materials.names("cathode_active") + materials.names("anode_active"))
def test_active_material_is_complete_and_consistent(name):
    mat = materials.get(name)
    for prop in ACTIVE_PROPS:
        assert prop in mat.properties, prop
    q = mat.properties["specific_capacity_mAh_g"].value
    q_th = mat.properties["theoretical_capacity_mAh_g"].value
    window = abs(mat.properties["x_discharged"].value - mat.properties["x_charged"].value)
    assert q <= q_th
    assert q == pytest.approx(q_th * window, rel=0.02)
    assert 0.5 < mat.properties["first_cycle_efficiency"].value <= 1.0


@pytest.mark.parametrize("name", sorted(materials.ocp_tables()))
def test_ocp_curve_is_monotonic_and_covers_the_window(name):
    x, u, _ = materials.ocp_tables()[name]
    assert np.all(np.diff(x) > 0)
    assert np.all(np.diff(u) < 0), "potential falls as the material takes up lithium"
    mat = materials.get(name)
    lo, hi = sorted((mat.properties["x_discharged"].value, mat.properties["x_charged"].value))
    assert x[0] <= lo and x[-1] >= hi


@pytest.mark.parametrize(
    "name, x_mid, lo, hi",
    [
        ("LFP", 0.5, 3.38, 3.46),
        ("NMC811", 0.5, 3.6, 4.0),
        ("graphite-artificial", 0.5, 0.07, 0.2),
        ("LTO", 0.5, 1.5, 1.6),
    ],
)
def test_ocp_plateaus_are_where_the_literature_puts_them(name, x_mid, lo, hi):
    assert lo < float(materials.ocp(name, x_mid)) < hi


def test_unknown_material_names_the_field_and_lists_the_allowed():
    with pytest.raises(SpecError) as err:
        materials.get("LCO", "cathode_active", "cathode.material")
    assert "cathode.material" in str(err.value) and "NMC811" in str(err.value)


def _sources_in_data():
    """Every citation key named anywhere in data/: CSV `source` columns and TOML `source` fields."""
    keys = set()
    folder = resources.files("cellwright") / "data"
    for entry in folder.iterdir():
        if entry.name.endswith(".csv"):
            keys |= {row["source"] for row in csv.DictReader(entry.read_text(encoding="utf-8").splitlines())}
        elif entry.name.endswith(".toml"):

            def walk(node, keys=keys):
                if isinstance(node, dict):
                    for k, v in node.items():
                        if k in ("source", "phase_down_source") and isinstance(v, str):
                            keys.update(v.split(";"))
                        walk(v)

            walk(tomllib.loads(entry.read_text(encoding="utf-8")))
    return keys


def test_every_source_key_resolves_to_a_reference():
    missing = _sources_in_data() - set(bibliography())
    assert not missing


def test_every_reference_has_a_title_and_year():
    for key, ref in bibliography().items():
        assert ref.get("title") and ref.get("year"), key


def test_every_preset_number_carries_a_source():
    for name, preset in presets.chemistries().items():
        for section, table in preset.items():
            if section in ("description", "casing"):
                continue
            for key, value in table.items():
                if isinstance(value.value, (int, float)):
                    assert value.source, f"{name}.{section}.{key}"
    for fmt, table in presets.formats().items():
        for key, value in table.items():
            if isinstance(value.value, (int, float)):
                assert value.source, f"{fmt}.{key}"
