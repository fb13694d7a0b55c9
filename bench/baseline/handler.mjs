// handler.mjs - the bench's Node.js baseline: GET /items, POST /items and GET /transactions written the way most
// teams would (the official plaid and AWS SDK clients made at module load, one table row per item with its access
// token, transactions fetched live from Plaid per item and merged). Not part of Mynt: make bench measures it beside
// the C bootstrap through the same Runtime API (docs/performance.md).
import { DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { Configuration, PlaidApi } from 'plaid';

const dynamo = new DynamoDBClient({
  region: process.env.AWS_REGION,
  ...(process.env.BASELINE_AWS_ENDPOINT ? { endpoint: process.env.BASELINE_AWS_ENDPOINT } : {}),
});
const plaid = new PlaidApi(new Configuration({
  basePath: process.env.PLAID_BASE_URL,
  baseOptions: {
    headers: { 'PLAID-CLIENT-ID': process.env.PLAID_CLIENT_ID, 'PLAID-SECRET': process.env.PLAID_SECRET },
  },
}));
const TABLE = process.env.BASELINE_TABLE;

const json = (statusCode, body) => ({
  statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
});

async function listItems(userId) {
  const out = await dynamo.send(new QueryCommand({
    TableName: TABLE,
    KeyConditionExpression: 'user_id = :u',
    ExpressionAttributeValues: { ':u': { S: userId } },
  }));
  return (out.Items ?? []).map((i) => ({
    item_id: i.item_id.S, access_token: i.access_token.S,
    institution_id: i.institution_id?.S, institution_name: i.institution_name?.S, created_at: i.created_at?.S,
  }));
}

async function postItem(userId, event) {
  let body;
  try { body = JSON.parse(event.body ?? ''); } catch { return json(400, { error: 'invalid JSON' }); }
  if (typeof body.public_token !== 'string') return json(400, { error: 'public_token is required' });
  const exchanged = await plaid.itemPublicTokenExchange({ public_token: body.public_token });
  const item = { item_id: exchanged.data.item_id, institution_id: String(body.institution_id ?? ''),
    institution_name: String(body.institution_name ?? ''), created_at: new Date().toISOString() };
  await dynamo.send(new PutItemCommand({
    TableName: TABLE,
    Item: { user_id: { S: userId }, item_id: { S: item.item_id }, access_token: { S: exchanged.data.access_token },
      institution_id: { S: item.institution_id }, institution_name: { S: item.institution_name },
      created_at: { S: item.created_at } },
  }));
  return json(201, item);
}

async function getItems(userId) {
  const items = await listItems(userId);
  return json(200, { items: items.map(({ access_token: _, ...rest }) => rest) });
}

async function getTransactions(userId, event) {
  const q = event.queryStringParameters ?? {};
  const count = Math.min(Number(q.count ?? 100), 500);
  const offset = Number(q.offset ?? 0);
  const end = q.end_date ?? new Date().toISOString().slice(0, 10);
  const start = q.start_date ?? new Date(Date.now() - 730 * 86400e3).toISOString().slice(0, 10);
  const items = await listItems(userId);
  const pages = await Promise.all(items.map((item) => plaid.transactionsGet({
    access_token: item.access_token, start_date: start, end_date: end, options: { count: offset + count, offset: 0 },
  })));
  const all = pages.flatMap((p) => p.data.transactions);
  all.sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
  const total = pages.reduce((n, p) => n + p.data.total_transactions, 0);
  return json(200, { transactions: all.slice(offset, offset + count), total_transactions: total });
}

export async function handler(event) {
  const userId = event.requestContext?.authorizer?.jwt?.claims?.sub;
  if (!userId) return json(401, { message: 'Unauthorized' });
  try {
    switch (event.routeKey) {
      case 'GET /items': return await getItems(userId);
      case 'POST /items': return await postItem(userId, event);
      case 'GET /transactions': return await getTransactions(userId, event);
      default: return json(404, { error: 'not found' });
    }
  } catch (err) {
    console.error(err);
    return json(502, { error: 'upstream failure' });
  }
}
