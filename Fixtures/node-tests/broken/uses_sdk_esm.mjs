// Imports the AWS SDK for JavaScript v3 from an ES module.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export const handler = async () => typeof DynamoDBClient;
