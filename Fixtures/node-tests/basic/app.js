// CommonJS handlers for the Node.js runtime tests (Tests/e2e/test_lambda_node.py).
let invocations = 0;

exports.echo = async (event, context) => {
  invocations += 1;
  console.log('echo', JSON.stringify(event));
  console.warn('a warning\nover two lines');
  return {
    event,
    invocations,
    awsRequestId: context.awsRequestId,
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    memoryLimitInMB: context.memoryLimitInMB,
    invokedFunctionArn: context.invokedFunctionArn,
    logGroupName: context.logGroupName,
    logStreamName: context.logStreamName,
    remaining: context.getRemainingTimeInMillis(),
    waits: context.callbackWaitsForEmptyEventLoop,
    clientContext: context.clientContext ?? null,
    node: process.versions.node,
    env: {
      AWS_EXECUTION_ENV: process.env.AWS_EXECUTION_ENV,
      LAMBDA_TASK_ROOT: process.env.LAMBDA_TASK_ROOT,
      AWS_LAMBDA_FUNCTION_NAME: process.env.AWS_LAMBDA_FUNCTION_NAME,
      FIXTURE_VARIABLE: process.env.FIXTURE_VARIABLE,
      hasSessionToken: Boolean(process.env.AWS_SESSION_TOKEN),
      TZ: process.env.TZ,
    },
  };
};

// A callback handler: the result is sent once the event loop is empty (the timer below runs first).
exports.callback = (event, context, callback) => {
  const order = ['handler'];
  setTimeout(() => {
    order.push('timer');
    console.log('timer fired');
  }, 200);
  callback(null, { order, waits: context.callbackWaitsForEmptyEventLoop });
};

// callbackWaitsForEmptyEventLoop = false: the result goes at once, a pending timer does not hold it.
exports.callbackNoWait = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  const started = Date.now();
  setTimeout(() => {}, 3000);
  callback(null, { elapsed: Date.now() - started });
};

exports.callbackError = (event, context, callback) => {
  callback(new RangeError('callback failed'));
};

exports.fail = async () => {
  throw new TypeError('something went wrong');
};

exports.sleep = async (event) => {
  console.log('sleeping', event.seconds);
  await new Promise((resolve) => setTimeout(resolve, event.seconds * 1000));
  return 'woke up';
};

exports.nested = { inner: { handler: async () => ({ nested: true }) } };

exports.notAFunction = 42;

// Tries to reach a documentation-only address; the offline guard refuses it.
exports.egress = async (event) => {
  try {
    const response = await fetch(event.url);
    return { status: response.status };
  } catch (error) {
    return { error: String(error.cause?.message ?? error.message) };
  }
};

// A rejection nobody handles: the invocation fails with Runtime.UnhandledPromiseRejection and the runtime exits.
exports.floatingRejection = async () => {
  Promise.reject(new Error('floating'));
  await new Promise((resolve) => setTimeout(resolve, 500));
  return 'not reached';
};

// An exception thrown from a timer: the invocation fails with it and the runtime exits.
exports.timerThrows = async () => {
  setTimeout(() => {
    throw new SyntaxError('thrown from a timer');
  }, 10);
  await new Promise((resolve) => setTimeout(resolve, 500));
  return 'not reached';
};
