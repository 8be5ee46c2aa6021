"""Result sheets a laboratory would upload for a passing all-solid-state cell, and a bad one.

The numbers follow STANDARD.md section 4: a 350 g cell losing 0.2 % after 6 h at 120 °C and
500 Pa with no leakage, 3 % liquid electrolyte, 200 Wh (571 Wh/kg) at 25 °C discharged at
1 I3 = 50 Ah / 3 h, and the four seed abuse tests without fire or explosion.
"""

from __future__ import annotations

TEST_DATE = "2026-09-01"

WEIGHT_LOSS = (
    "sample_id,mass_before_g,mass_after_g,temperature_c,duration_h,pressure_pa,leakage,"
    "balance_resolution_g,test_date\n"
    + "".join(f"WL-{i},350.00,349.30,120.0,6.0,500,no,0.01,{TEST_DATE}\n" for i in (1, 2, 3))
)
ELECTROLYTE_CONTENT = "sample_id,liquid_electrolyte_pct,test_date\n" + "".join(
    f"EC-{i},3.0,{TEST_DATE}\n" for i in (1, 2, 3)
)
ENERGY_DENSITY = (
    "sample_id,discharge_energy_wh,cell_mass_g,temperature_c,discharge_current_a,test_date\n"
    + "".join(f"ED-{i},200.0,350.0,25.0,16.667,{TEST_DATE}\n" for i in (1, 2, 3))
)
SAFETY = "sample_id,test,fire,explosion,test_date,max_temperature_c,notes\n" + "".join(
    f"SF-{test},{test},no,no,{TEST_DATE},61.5,no fire; observed 1 h\n"
    for test in ("nail_penetration", "crush", "heating", "immersion")
)

PASSING = {
    "weight_loss": WEIGHT_LOSS,
    "electrolyte_content": ELECTROLYTE_CONTENT,
    "energy_density": ENERGY_DENSITY,
    "safety": SAFETY,
}

# Row 3 (the second sample) has a mass that is not a number.
BAD_WEIGHT_LOSS = (
    "sample_id,mass_before_g,mass_after_g,temperature_c,duration_h,pressure_pa,leakage,"
    "balance_resolution_g,test_date\n"
    f"WL-1,350.00,349.30,120.0,6.0,500,no,0.01,{TEST_DATE}\n"
    f"WL-2,350.00,abc,120.0,6.0,500,no,0.01,{TEST_DATE}\n"
)
BAD_ROW, BAD_COLUMN = 3, "mass_after_g"
