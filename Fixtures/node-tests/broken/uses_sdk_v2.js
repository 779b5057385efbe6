// A nodejs16.x-era handler: the AWS SDK for JavaScript v2 that AWS's older runtimes included.
const AWS = require('aws-sdk');

exports.handler = async () => typeof AWS.DynamoDB;
