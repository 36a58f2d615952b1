// Runs PactFlow's openapi-pact-comparator on the cases given on standard input and prints its
// findings, so the agreement test (tests/openapi.rs) can compare them with pactum's.
//
//   node comparator.cjs <folder holding node_modules> < cases.json > results.json
//
// Input: [{"name": …, "oas": {…}, "pact": {…}}, …] (documents already parsed to JSON).
// Output: {"<name>": [{"code", "type", "interaction", "mockLocation", "specLocation"}, …], …};
// a case the comparator cannot read gets {"error": "<message>"}.
// With --time N: instead, compares the first case N times and prints the mean milliseconds of
// one comparison (the document's router and schemas are built anew each time, as for a first
// contract), then of one comparison with a warm comparator.
const path = require("node:path");
const root = process.argv[2];
const { Comparator } = require(
  path.join(root, "node_modules/@pactflow/openapi-pact-comparator"),
);

async function compare(oas, pact) {
  const comparator = new Comparator({ oas: structuredClone(oas) });
  const out = [];
  for await (const r of comparator.compare(pact)) out.push(r);
  return out;
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const cases = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const timeIndex = process.argv.indexOf("--time");
  if (timeIndex > 0) {
    const runs = Number(process.argv[timeIndex + 1]);
    const { oas, pact } = cases[0];
    await compare(oas, pact);
    let start = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) await compare(oas, pact);
    const cold = Number(process.hrtime.bigint() - start) / 1e6 / runs;
    const warm = new Comparator({ oas: structuredClone(oas) });
    for await (const _ of warm.compare(pact));
    start = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) for await (const _ of warm.compare(pact));
    const hot = Number(process.hrtime.bigint() - start) / 1e6 / runs;
    process.stdout.write(JSON.stringify({ coldMs: cold, warmMs: hot }) + "\n");
    return;
  }
  const results = {};
  for (const { name, oas, pact } of cases) {
    try {
      const found = await compare(oas, pact);
      results[name] = found.map((r) => {
        const m = /interactions\[(\d+)\]/.exec(r.mockDetails?.location || "");
        return {
          code: r.code,
          type: r.type,
          interaction: m ? Number(m[1]) : null,
          mockLocation: r.mockDetails?.location ?? null,
          specLocation: r.specDetails?.location ?? null,
        };
      });
    } catch (e) {
      results[name] = { error: String(e && e.message ? e.message : e) };
    }
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
