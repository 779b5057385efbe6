// AWS Signature Version 4 by hand with Node's crypto, standing in for the AWS SDK (no npm registry here).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');

const hmac = (key, text) => crypto.createHmac('sha256', key).update(text, 'utf8').digest();
const sha256 = (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');
// RFC 3986 percent-encoding, as SigV4 wants it.
const encode = (text) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Sends a signed request with the function's execution-role credentials.
 * @param {{url: string, method?: string, service: string, segments?: string[], headers?: object, body?: string}} request
 * @returns {Promise<{status: number, headers: object, body: string}>}
 */
function send({ url, method = 'POST', service, segments = [], headers = {}, body = '' }) {
  const region = process.env.AWS_REGION;
  const target = new URL(url);
  // The path as sent (`@` stays literal, as the SDKs send `/@connections/`)...
  const path = target.pathname.replace(/\/$/, '') + segments.map((s) => `/${encode(s).replace(/%40/g, '@')}`).join('') || '/';
  // ...and as signed: services other than S3 sign each segment of the sent path encoded once more.
  const canonicalPath = path.split('/').map(encode).join('/') || '/';
  const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const all = { ...headers, host: target.host, 'x-amz-date': amzDate };
  if (process.env.AWS_SESSION_TOKEN) all['x-amz-security-token'] = process.env.AWS_SESSION_TOKEN;
  const names = Object.keys(all).map((n) => n.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), String(v).trim()]));
  const canonical = [method, canonicalPath, '', names.map((n) => `${n}:${lower[n]}\n`).join(''), names.join(';'), sha256(body)].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  let key = hmac(`AWS4${process.env.AWS_SECRET_ACCESS_KEY}`, day);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const signature = crypto.createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  lower.authorization = `AWS4-HMAC-SHA256 Credential=${process.env.AWS_ACCESS_KEY_ID}/${scope}, `
    + `SignedHeaders=${names.join(';')}, Signature=${signature}`;
  lower['content-length'] = Buffer.byteLength(body);
  const client = target.protocol === 'https:' ? https : http;
  const options = { method, host: target.hostname, port: target.port, path, headers: lower };
  if (target.protocol === 'https:' && process.env.AWS_CA_BUNDLE) options.ca = fs.readFileSync(process.env.AWS_CA_BUNDLE);
  return new Promise((resolve, reject) => {
    const req = client.request(options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Calls a DynamoDB operation (JSON 1.0 protocol) on the emulator. */
async function dynamodb(operation, input) {
  const response = await send({
    url: process.env.AWS_ENDPOINT_URL,
    service: 'dynamodb',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${operation}` },
    body: JSON.stringify(input),
  });
  const parsed = response.body ? JSON.parse(response.body) : {};
  if (response.status !== 200) {
    const error = new Error(parsed.message ?? parsed.Message ?? response.body);
    error.name = String(parsed.__type ?? 'DynamoDBError').split('#').pop();
    error.status = response.status;
    throw error;
  }
  return parsed;
}

/** PostToConnection through the API Gateway management API (`https://{domainName}/{stage}/@connections/{id}`). */
function postToConnection(requestContext, connectionId, data) {
  return send({
    url: `https://${requestContext.domainName}/${requestContext.stage}`,
    service: 'execute-api',
    segments: ['@connections', connectionId],
    headers: { 'content-type': 'application/json' },
    body: typeof data === 'string' ? data : JSON.stringify(data),
  });
}

module.exports = { send, dynamodb, postToConnection };
