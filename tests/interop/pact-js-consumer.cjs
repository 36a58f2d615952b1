// A pact-js consumer test, used by pactum's interop tests: writes a V3 and a V4 HTTP contract
// (matchers, provider states with parameters, query, headers, a POST with a JSON body) into the
// directory given as the first argument. Run with NODE_PATH pointing at the installed
// node_modules (scripts/install-pact-clients.sh).
const { PactV3, PactV4, MatchersV3, SpecificationVersion } = require('@pact-foundation/pact');
const { integer, decimal, like, regex, eachLike, datetime, boolean } = MatchersV3;

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node pact-js-consumer.cjs OUTPUT_DIR');
  process.exit(2);
}

async function expectStatus(response, status) {
  if (response.status !== status) {
    throw new Error(`expected ${status}, got ${response.status}: ${await response.text()}`);
  }
}

async function v3() {
  const pact = new PactV3({ consumer: 'js-web', provider: 'js-api', dir, spec: SpecificationVersion.SPECIFICATION_VERSION_V3 });
  pact
    .given('user 1 exists', { id: 1 })
    .uponReceiving('a request for user 1')
    .withRequest({ method: 'GET', path: '/users/1', query: { fields: 'all' }, headers: { Accept: 'application/json' } })
    .willRespondWith({
      status: 200,
      headers: { 'Content-Type': 'application/json' },
      body: {
        id: integer(1),
        name: like('Ann'),
        email: regex('[a-z]+@[a-z]+\\.com', 'ann@example.com'),
        roles: eachLike('admin'),
        active: boolean(true),
        created: datetime("yyyy-MM-dd'T'HH:mm:ss", '2024-01-01T10:00:00'),
      },
    });
  await pact.executeTest(async (server) => {
    const r = await fetch(`${server.url}/users/1?fields=all`, { headers: { Accept: 'application/json' } });
    await expectStatus(r, 200);
  });
}

async function v4() {
  const pact = new PactV4({ consumer: 'js-web-v4', provider: 'js-api', dir });
  await pact
    .addInteraction()
    .given('an open order exists', { orderId: 7 })
    .uponReceiving('a request for open orders')
    .withRequest('GET', '/orders', (b) => b.query({ status: 'open' }).headers({ Accept: 'application/json' }))
    .willRespondWith(200, (b) =>
      b.headers({ 'Content-Type': 'application/json' }).jsonBody({
        orders: eachLike({ id: integer(7), total: decimal(12.5), status: regex('open|closed', 'open') }),
      }))
    .executeTest(async (server) => {
      const r = await fetch(`${server.url}/orders?status=open`, { headers: { Accept: 'application/json' } });
      await expectStatus(r, 200);
    });
  await pact
    .addInteraction()
    .uponReceiving('a new order')
    .withRequest('POST', '/orders', (b) =>
      b.headers({ 'Content-Type': 'application/json' }).jsonBody({ productId: integer(10), quantity: integer(2) }))
    .willRespondWith(201, (b) => b.headers({ 'Content-Type': 'application/json' }).jsonBody({ id: integer(8) }))
    .executeTest(async (server) => {
      const r = await fetch(`${server.url}/orders`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ productId: 10, quantity: 2 }),
      });
      await expectStatus(r, 201);
    });
}

v3()
  .then(v4)
  .then(() => console.log('pact-js contracts written to', dir))
  .catch((e) => {
    console.error(e);
    process.exit(1);
  });
