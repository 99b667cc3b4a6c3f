// Test kernel for network.wgsl: one dispatch problem per invocation. Problem p occupies
// NET_TEST_STRIDE words of `params`: [regions, links, (demand, renewable, available) x 8,
// (from, to, forward, backward) x 28]; its results go to `scratch` after the work areas:
// shortfall x 8, curtailment x 8, (flow magnitude, negative) x 28.

const NET_TEST_REGIONS: u32 = 8u;
const NET_TEST_LINKS: u32 = 28u;
const NET_TEST_STRIDE: u32 = 138u;
const NET_TEST_ARCS: u32 = 176u;
const NET_TEST_NODES: u32 = 10u;
const NET_TEST_WORK: u32 = 548u; // 3 * 176 + 2 * 10
const NET_TEST_RESULT: u32 = 72u;

fn region_hour(problem: u32, r: u32) -> vec3<u32> {
    let at = problem * NET_TEST_STRIDE + 2u + 3u * r;
    return vec3<u32>(params[at], params[at + 1u], params[at + 2u]);
}

fn link_hour(problem: u32, i: u32) -> vec4<u32> {
    let at = problem * NET_TEST_STRIDE + 2u + 3u * NET_TEST_REGIONS + 4u * i;
    return vec4<u32>(params[at], params[at + 1u], params[at + 2u], params[at + 3u]);
}

// The test problems have no storage.
fn store_hour(problem: u32, s: u32) -> vec4<u32> {
    return vec4<u32>(0u, 0u, 0u, 0u);
}

@compute @workgroup_size(1)
fn network_test(@builtin(global_invocation_id) id: vec3<u32>) {
    let p = id.x;
    let regions = params[p * NET_TEST_STRIDE];
    let links = params[p * NET_TEST_STRIDE + 1u];
    var n = Net(p * NET_TEST_WORK, NET_TEST_ARCS, NET_TEST_NODES, 0u, 1u, 0u);
    n = net_dispatch(n, regions, links, 0u, p);
    let problems = arrayLength(&params) / NET_TEST_STRIDE;
    let out = problems * NET_TEST_WORK + p * NET_TEST_RESULT;
    for (var r = 0u; r < regions; r++) {
        scratch[out + r] = net_shortfall(n, r);
        scratch[out + NET_TEST_REGIONS + r] = net_curtailment(n, r);
    }
    for (var i = 0u; i < links; i++) {
        let f = net_flow(n, regions, i);
        scratch[out + 2u * NET_TEST_REGIONS + 2u * i] = f.x;
        scratch[out + 2u * NET_TEST_REGIONS + 2u * i + 1u] = f.y;
    }
}
