// runtime.mjs - a Lambda Node.js runtime loop for the baseline, shaped like AWS's: import the handler module (its
// init), then GET /runtime/invocation/next, call the handler, POST its result as the response (or an error) — forever.
import http from 'node:http';

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const base = '/2018-06-01/runtime';

function request(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path, agent,
      headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
    (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const { handler } = await import(`${process.env.LAMBDA_TASK_ROOT}/${process.env._HANDLER.split('.')[0]}.mjs`);
for (;;) {
  const next = await request('GET', `${base}/invocation/next`);
  const id = next.headers['lambda-runtime-aws-request-id'];
  try {
    const result = await handler(JSON.parse(next.body));
    await request('POST', `${base}/invocation/${id}/response`, JSON.stringify(result));
  } catch (err) {
    await request('POST', `${base}/invocation/${id}/error`,
      JSON.stringify({ errorMessage: String(err?.message ?? err), errorType: err?.name ?? 'Error', stackTrace: [] }));
  }
}
