// pact-js consumer tests whose contracts pactum's verifier checks (tests/interop.rs): V2, V3 and
// V4 HTTP contracts and V3 and V4 message contracts for the provider "js-provider", written
// into the directory given as the first argument. Run with NODE_PATH at the installed
// node_modules (scripts/install-pact-clients.sh).
const {
  PactV3, PactV4, MatchersV3, SpecificationVersion, MessageConsumerPact, synchronousBodyHandler,
} = require('@pact-foundation/pact');
const { integer, decimal, like, regex, eachLike, datetime, boolean } = MatchersV3;

const dir = process.argv[2];
const provider = 'js-provider';

async function ok(response, status) {
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}`);
}

const userBody = {
  id: integer(1),
  name: like('Ann'),
  email: regex('[a-z]+@[a-z]+\\.com', 'ann@example.com'),
  roles: eachLike('admin'),
  active: boolean(true),
  created: datetime("yyyy-MM-dd'T'HH:mm:ss", '2024-01-01T10:00:00'),
};

async function httpPact(consumer, spec) {
  const pact = new PactV3({ consumer, provider, dir, spec });
  pact
    .given('user 1 exists', { id: 1 })
    .uponReceiving('a request for user 1')
    .withRequest({ method: 'GET', path: '/users/1', headers: { Accept: 'application/json' } })
    .willRespondWith({ status: 200, headers: { 'Content-Type': 'application/json' }, body: userBody });
  await pact.executeTest(async (s) => ok(await fetch(`${s.url}/users/1`, { headers: { Accept: 'application/json' } }), 200));
}

async function v4Http() {
  const pact = new PactV4({ consumer: 'js-http-v4', provider, dir });
  await pact
    .addInteraction()
    .given('user 1 exists', { id: 1 })
    .uponReceiving('a request for user 1')
    .withRequest('GET', '/users/1', (b) => b.headers({ Accept: 'application/json' }))
    .willRespondWith(200, (b) => b.headers({ 'Content-Type': 'application/json' }).jsonBody(userBody))
    .executeTest(async (s) => ok(await fetch(`${s.url}/users/1`, { headers: { Accept: 'application/json' } }), 200));
  await pact
    .addInteraction()
    .uponReceiving('a list of orders')
    .withRequest('GET', '/orders')
    .willRespondWith(200, (b) => b.jsonBody({ orders: eachLike({ id: integer(7), total: decimal(12.5), status: regex('open|closed', 'open') }) }))
    .executeTest(async (s) => ok(await fetch(`${s.url}/orders`), 200));
}

const orderEvent = {
  orderId: integer(5),
  total: decimal(1.5),
  placedAt: like('2024-01-01T00:00:00Z'),
};

async function v3Message() {
  const pact = new MessageConsumerPact({ consumer: 'js-messages-v3', provider, dir, pactfileWriteMode: 'overwrite' });
  await pact
    .given('an order exists')
    .expectsToReceive('an order was placed')
    .withContent(orderEvent)
    .withMetadata({ topic: 'orders.placed' })
    .verify(synchronousBodyHandler(() => {}));
}

async function v4Message() {
  const pact = new PactV4({ consumer: 'js-messages-v4', provider, dir });
  await pact
    .addAsynchronousInteraction()
    .given('an order exists')
    .expectsToReceive('an order was placed', (b) => b.withJSONContent(orderEvent).withMetadata({ topic: 'orders.placed' }))
    .executeTest(async () => {});
}

(async () => {
  await httpPact('js-http-v2', SpecificationVersion.SPECIFICATION_VERSION_V2);
  await httpPact('js-http-v3', SpecificationVersion.SPECIFICATION_VERSION_V3);
  await v4Http();
  await v3Message();
  await v4Message();
  console.log('pact-js contracts written to', dir);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
