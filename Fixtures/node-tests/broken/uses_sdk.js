// Imports the AWS SDK for JavaScript v3 that AWS's Node.js runtime includes.
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');

exports.handler = async () => typeof DynamoDBClient;
