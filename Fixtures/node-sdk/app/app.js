// Imports an AWS SDK for JavaScript v3 package that AWS's Node.js runtime includes and the function does not vendor:
// `synapscribe-local build` installs it into the runtime cache with npm (Tests/e2e/test_lambda_node_sdk.py).
const sts = require('@aws-sdk/client-sts');

exports.handler = async () => ({ source: sts.source });
