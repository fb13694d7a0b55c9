// openapi.mjs - validates API responses against docs/openapi.yaml (the documented contract).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { ROOT } from './stack.mjs';

const spec = parse(readFileSync(join(ROOT, 'docs', 'openapi.yaml'), 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(spec, 'openapi');

const pointer = (parts) => parts.map((p) => String(p).replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
const compiled = new Map();
function validatorAt(parts) {
  const key = pointer(parts);
  if (!compiled.has(key)) compiled.set(key, ajv.compile({ $ref: `openapi#/${key}` }));
  return compiled.get(key);
}

/** Finds the documented path template for a concrete path, e.g. /items/abc → /items/{item_id}. */
function templateFor(path) {
  const segments = path.split('/');
  return Object.keys(spec.paths).find((template) => {
    const t = template.split('/');
    return t.length === segments.length && t.every((s, i) => s.startsWith('{') || s === segments[i]);
  });
}

/** Throws unless value conforms to the schema at the spec's parts; what names the answer in the message. */
function check(parts, value, what) {
  const validate = validatorAt(parts);
  if (!validate(value)) {
    throw new Error(`${what} does not conform to docs/openapi.yaml: ` +
      `${ajv.errorsText(validate.errors)}\nbody: ${JSON.stringify(value).slice(0, 500)}`);
  }
}

/**
 * Checks one API answer against the spec; throws an Error saying what does not conform.
 * Unknown routes must answer the documented Error shape with 404 or 405.
 * The content-type must be one the response documents: an application/json body (parsed) is
 * checked against its schema; any other documented type (text/csv) checks the raw text against
 * its schema. Headers the response documents must be present (headers: a fetch Headers) and
 * match their schema.
 */
export function assertConforms(method, url, status, contentType, body, { text, headers } = {}) {
  const path = new URL(url, 'http://x').pathname;
  const template = templateFor(path);
  const op = template && spec.paths[template][method.toLowerCase()];
  const what = `${method} ${path} → ${status}`;
  let parts;
  let mediaType = 'application/json';
  if (!op) {
    if (status !== 404 && status !== 405 && status !== 413) {
      throw new Error(`${what}: not a documented operation`);
    }
    parts = ['components', 'schemas', 'Error'];
  } else {
    let response = op.responses[String(status)];
    if (!response) throw new Error(`${method} ${template} → ${status}: status not documented`);
    let responseParts = ['paths', template, method.toLowerCase(), 'responses', String(status)];
    if (response.$ref) {
      responseParts = response.$ref.slice(2).split('/');
      response = responseParts.reduce((node, k) => node[k], spec);
    }
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      if (!headers) continue;
      const value = headers.get(name);
      if (value === null) throw new Error(`${what}: documented header ${name} is missing`);
      if (header.schema) check([...responseParts, 'headers', name, 'schema'], value, `${what} header ${name}`);
    }
    if (!response.content) {
      if (body !== undefined && body !== '') throw new Error(`${method} ${template} → ${status}: body where none is documented`);
      return;
    }
    const documented = Object.keys(response.content);
    const given = (contentType ?? '').split(';')[0].trim().toLowerCase();
    mediaType = documented.find((t) => t === given) ?? documented[0];
    parts = [...responseParts, 'content', mediaType, 'schema'];
  }
  if (status === 413 && !op) return; // the gateway's own 413 for bodies past Lambda's limit
  if ((contentType ?? '').split(';')[0].trim().toLowerCase() !== mediaType) {
    throw new Error(`${what}: content-type ${contentType}, documented ${mediaType}`);
  }
  if (mediaType !== 'application/json') {
    if (typeof text !== 'string') throw new Error(`${what}: a ${mediaType} answer needs its text to be checked`);
    check(parts, text, what);
    return;
  }
  check(parts, body, what);
}
