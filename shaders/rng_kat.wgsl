// Known-answer kernel for the GPU's Philox: each invocation reads a counter and key (six
// words of `params`) and writes the four output words into `scratch`.

@compute @workgroup_size(1)
fn rng_kat(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x;
    let base = i * 6u;
    let ctr = vec4<u32>(params[base], params[base + 1u], params[base + 2u], params[base + 3u]);
    let key = vec2<u32>(params[base + 4u], params[base + 5u]);
    let out = philox4x32_10(ctr, key);
    scratch[i * 4u] = out.x;
    scratch[i * 4u + 1u] = out.y;
    scratch[i * 4u + 2u] = out.z;
    scratch[i * 4u + 3u] = out.w;
}
