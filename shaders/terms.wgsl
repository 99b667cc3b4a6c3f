// Hourly demand and renewable output of one trajectory, and their bounds over an interval.
// Mirrors src/engine/cpu/terms.rs.

// The parameters of one trajectory, unpacked from its block.
struct Params {
    year: u32,
    // The load multiplier: whole part and Q32 fraction (terms.rs: Params).
    load_scale: u32,
    load_fraction: u32,
    demand_energy: vec2<u32>,
    renewable_energy: vec2<u32>,
    // Index of the block's first word, for the project bits and added-load powers.
    base: u32,
}

fn params_unpack(base: u32) -> Params {
    return Params(
        params[base + PARAM_WEATHER_YEAR],
        params[base + PARAM_LOAD_SCALE],
        params[base + PARAM_LOAD_FRACTION],
        vec2<u32>(params[base + PARAM_DEMAND_ENERGY], params[base + PARAM_DEMAND_ENERGY + 1u]),
        vec2<u32>(params[base + PARAM_RENEWABLE_ENERGY], params[base + PARAM_RENEWABLE_ENERGY + 1u]),
        base,
    );
}

fn online(p: Params, project: u32) -> bool {
    if (project == NONE) {
        return true;
    }
    return ((params[p.base + PARAM_PROJECTS + project / 32u] >> (project % 32u)) & 1u) == 1u;
}

fn added_power(p: Params, k: u32) -> u32 {
    return params[p.base + PARAM_PROJECTS + globals.project_words + k];
}

fn term(scale: u32, value: u32) -> u32 {
    return mul_shr_sat(scale, value, 16u);
}

// A load times the trajectory's multiplier, rounded to the nearest power unit, saturating
// (terms.rs: load_term).
fn load_term(p: Params, value: u32) -> u32 {
    let f = mul_hi_lo(value, p.load_fraction);
    let w = mul_hi_lo(value, p.load_scale);
    if (w.x != 0u) {
        return 0xFFFFFFFFu;
    }
    let rest = f.x + (f.y >> 31u);
    let sum = w.y + rest;
    return select(sum, 0xFFFFFFFFu, sum < rest);
}

// An added load's power times its Q31 shape, rounded to the nearest power unit
// (terms.rs: added_term).
fn added_term(power: u32, shape: u32) -> u32 {
    let m = mul_hi_lo(power, shape);
    return ((m.x << 1u) | (m.y >> 31u)) + ((m.y >> 30u) & 1u);
}

fn series_start(series: u32, stride: u32, year: u32) -> u32 {
    return (series + year * stride) * globals.hours;
}

// Term row fields: series, year_stride, scale, project.
fn series_value(row: u32, year: u32, hour: u32) -> u32 {
    let series = tables[row];
    if (series == NONE) {
        return Q31_ONE;
    }
    return tables[globals.off_series + series_start(series, tables[row + 1u], year) + hour];
}

fn range_extreme(is_max: bool, series: u32, stride: u32, year: u32, a: u32, b: u32) -> u32 {
    let table = select(globals.off_range_min, globals.off_range_max, is_max);
    if (series == NONE) {
        return Q31_ONE;
    }
    let hours = globals.hours;
    let k = 31u - countLeadingZeros(b - a);
    let base = ((series + year * stride) * globals.range_levels + k) * hours;
    let x = tables[table + base + a];
    let y = tables[table + base + b - (1u << k)];
    return select(min(x, y), max(x, y), is_max);
}

fn demand(p: Params, h: u32) -> u32 {
    var d = load_term(p, series_value(globals.off_load, p.year, h));
    for (var k = 0u; k < globals.added_loads; k++) {
        d += added_term(added_power(p, k), series_value(globals.off_added_loads + k * TERM_WORDS, p.year, h));
    }
    return d;
}

fn renewable(p: Params, h: u32) -> u32 {
    var r = 0u;
    for (var i = 0u; i < globals.renewables; i++) {
        let row = globals.off_renewables + i * TERM_WORDS;
        if (online(p, tables[row + 3u])) {
            r += term(tables[row + 2u], series_value(row, p.year, h));
        }
    }
    return r;
}

fn demand_bound(p: Params, a: u32, b: u32, is_max: bool) -> u32 {
    let l = globals.off_load;
    var d = load_term(p, range_extreme(is_max, tables[l], tables[l + 1u], p.year, a, b));
    for (var k = 0u; k < globals.added_loads; k++) {
        let row = globals.off_added_loads + k * TERM_WORDS;
        d += added_term(added_power(p, k), range_extreme(is_max, tables[row], tables[row + 1u], p.year, a, b));
    }
    return d;
}

fn renewable_bound(p: Params, a: u32, b: u32, is_max: bool) -> u32 {
    var r = 0u;
    for (var i = 0u; i < globals.renewables; i++) {
        let row = globals.off_renewables + i * TERM_WORDS;
        if (online(p, tables[row + 3u])) {
            r += term(tables[row + 2u], range_extreme(is_max, tables[row], tables[row + 1u], p.year, a, b));
        }
    }
    return r;
}
