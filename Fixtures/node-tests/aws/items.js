// Writes and reads an item through DynamoDB with a request signed by hand (sigv4.js).
const { dynamodb } = require('./sigv4');

exports.handler = async (event) => {
  const table = process.env.TABLE_NAME;
  await dynamodb('PutItem', { TableName: table, Item: { id: { S: event.id }, note: { S: event.note } } });
  const read = await dynamodb('GetItem', { TableName: table, Key: { id: { S: event.id } }, ConsistentRead: true });
  try {
    await dynamodb('DeleteTable', { TableName: table });
    return { item: read.Item, deleteTable: 'allowed' };
  } catch (error) {
    return { item: read.Item, deleteTable: { name: error.name, status: error.status, message: error.message } };
  }
};
