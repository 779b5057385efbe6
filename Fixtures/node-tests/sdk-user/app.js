// Uses the SDK the runtime provides (the runtime cache stands for it), from CommonJS.
const sts = require('@aws-sdk/client-sts');

exports.handler = async () => ({ source: sts.source });
