const sts = require('@aws-sdk/client-sts');

exports.handler = async () => ({ source: sts.source });
