// A WebSocket chat app in the shape of AWS's simple-websockets-chat-app, in Node.js: connections are kept in
// DynamoDB, `sendmessage` broadcasts through the @connections API, gone connections are cleaned up.
const { dynamodb, postToConnection } = require('./sigv4');

const table = () => process.env.CONNECTIONS_TABLE;

exports.connect = async (event) => {
  const name = event.queryStringParameters?.name ?? 'anonymous';
  await dynamodb('PutItem', {
    TableName: table(),
    Item: { connectionId: { S: event.requestContext.connectionId }, name: { S: name } },
  });
  return { statusCode: 200, body: 'Connected.' };
};

exports.disconnect = async (event) => {
  await dynamodb('DeleteItem', { TableName: table(), Key: { connectionId: { S: event.requestContext.connectionId } } });
  return { statusCode: 200, body: 'Disconnected.' };
};

exports.sendmessage = async (event) => {
  const { data } = JSON.parse(event.body);
  const sender = await dynamodb('GetItem', {
    TableName: table(),
    Key: { connectionId: { S: event.requestContext.connectionId } },
  });
  const from = sender.Item?.name?.S ?? 'anonymous';
  const { Items: connections } = await dynamodb('Scan', { TableName: table(), ProjectionExpression: 'connectionId' });
  const results = await Promise.all(connections.map(async ({ connectionId }) => {
    const response = await postToConnection(event.requestContext, connectionId.S, { from, data });
    if (response.status === 410) {
      await dynamodb('DeleteItem', { TableName: table(), Key: { connectionId } });
    } else if (response.status !== 200) {
      throw new Error(`PostToConnection answered ${response.status}: ${response.body}`);
    }
    return response.status;
  }));
  console.log('broadcast', JSON.stringify(results));
  return { statusCode: 200, body: 'Data sent.' };
};
