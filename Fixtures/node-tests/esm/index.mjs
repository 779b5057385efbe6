// An ES module handler (.mjs) using top-level await and node: imports.
import { createHash } from 'node:crypto';

const digest = await Promise.resolve(createHash('sha256').update('synapscribe').digest('hex'));

export const handler = async (event, context) => ({ module: 'esm', digest, requestId: context.awsRequestId, event });
