/// The Node.js runtime client, embedded so that the binary alone runs Node.js functions.
///
/// It is written here in JavaScript against AWS's published contracts: the Lambda Runtime API (2018-06-01:
/// `GET /invocation/next`, `POST /invocation/{id}/response`, `/invocation/{id}/error`, `/init/error`) and the
/// Node.js handler contract (CommonJS and ES modules, `file.export` and nested paths, async and callback handlers,
/// the context object, `callbackWaitsForEmptyEventLoop`, the error JSON `errorType`/`errorMessage`/`trace`, the
/// `Runtime.ImportModuleError`/`HandlerNotFound`/`UserCodeSyntaxError`/`MalformedHandlerName` init errors, and
/// console lines `timestamp<TAB>requestId<TAB>LEVEL<TAB>message`). It also carries the offline guard for Node.js
/// (every socket `connect` beyond loopback is refused and reported to the function's guard listener) and an ES
/// module resolve hook that gives `import` the `NODE_PATH` folders (layers, the runtime cache) after the
/// function's own `node_modules`. ``NodeRuntimeFiles/installClient(in:)`` writes it to the runtime cache.
package enum NodeRuntimeClient {
    /// The client's source (an ES module; `node client.mjs HANDLER`).
    package static let source = #"""
        // SynapScribe Local: the Node.js runtime client of a Lambda execution environment.
        // Written for the emulator against AWS's published contracts: the Lambda Runtime API (2018-06-01) and the
        // Node.js handler contract (CommonJS and ES modules, async and callback handlers, the context object, the
        // error JSON, Runtime.* init errors and the console line format of the managed runtime).
        // Usage: node runtime.mjs HANDLER (with AWS_LAMBDA_RUNTIME_API, LAMBDA_TASK_ROOT and the Lambda variables set).
        import * as moduleApi from 'node:module';
        import fs from 'node:fs';
        import http from 'node:http';
        import net from 'node:net';
        import path from 'node:path';
        import util from 'node:util';
        import { pathToFileURL } from 'node:url';

        const require = moduleApi.createRequire(import.meta.url);
        const env = process.env;
        const runtimeAPI = env.AWS_LAMBDA_RUNTIME_API || '127.0.0.1:9001';
        const [apiHost, apiPortText] = runtimeAPI.split(':');
        const apiPort = Number(apiPortText) || 80;
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        const taskRoot = env.LAMBDA_TASK_ROOT || process.cwd();
        const handlerString = process.argv[2] || env._HANDLER || '';
        const functionRuntime = (env.AWS_EXECUTION_ENV || '').replace(/^AWS_Lambda_/, '');
        const runtimeMajor = Number((/^nodejs(\d+)\.x$/.exec(functionRuntime) || [])[1]) || 0;
        const sdkCache = env.SYNAPSCRIBE_NODE_SDK_PATH || '';

        // ---------------------------------------------------------------- console, as the managed runtime formats it

        let currentRequestId;
        const levelNames = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
        const minimumLevel = Math.max(0, levelNames.indexOf((env.AWS_LAMBDA_LOG_LEVEL || 'TRACE').toUpperCase()));

        function writeLine(level, args) {
          const text = `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${util.format(...args)}`;
          process.stdout.write(text.replace(/\n/g, '\r') + '\n');
        }

        function patchConsole() {
          for (const [index, level] of levelNames.entries()) {
            const method = level === 'FATAL' ? 'fatal' : level.toLowerCase();
            console[method] = index >= minimumLevel || level === 'FATAL' ? (...args) => writeLine(level, args) : () => {};
          }
          console.log = console.info;
        }

        // ---------------------------------------------------------------- errors

        class RuntimeError extends Error {
          constructor(type, message, stack) {
            super(message);
            Object.defineProperty(this, 'name', { value: `Runtime.${type}`, writable: true, configurable: true });
            if (stack) this.stack = stack;
          }
        }

        function isErrorLike(value) {
          return value && typeof value.name === 'string' && typeof value.message === 'string' && typeof value.stack === 'string';
        }

        // The body of /error and /init/error: {errorType, errorMessage, trace}.
        function errorResponse(error) {
          try {
            if (util.types.isNativeError(error) || isErrorLike(error)) {
              return { errorType: error.name, errorMessage: error.message, trace: String(error.stack).split('\n') };
            }
            return { errorType: typeof error, errorMessage: String(error), trace: [] };
          } catch {
            return {
              errorType: 'handled',
              errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its '
                + 'message, name, and stack',
            };
          }
        }

        // The tab-prefixed JSON the runtime logs after "Invoke Error" or "Uncaught Exception".
        function formatted(error) {
          const replacer = (_key, value) => {
            if (!(value instanceof Error)) return value;
            const copy = Object.assign({ errorType: value.name, errorMessage: value.message, code: value.code }, value);
            if (typeof value.stack === 'string') copy.stack = value.stack.split('\n');
            return copy;
          };
          try {
            return '\t' + JSON.stringify(error, replacer);
          } catch {
            return '\t' + JSON.stringify(errorResponse(error));
          }
        }

        function asError(value) {
          return value instanceof Error ? value : new Error(value);
        }

        // ---------------------------------------------------------------- Runtime API

        function call(method, route, body, headers = {}) {
          return new Promise((resolve, reject) => {
            const payload = body === undefined ? undefined : Buffer.from(body);
            const request = http.request({
              host: apiHost, port: apiPort, method, path: `/2018-06-01/runtime/${route}`, agent,
              headers: payload ? { ...headers, 'Content-Type': 'application/json', 'Content-Length': payload.length } : headers,
            }, (response) => {
              const chunks = [];
              response.on('data', (chunk) => chunks.push(chunk));
              response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) }));
              response.on('error', reject);
            });
            request.on('error', reject);
            request.end(payload);
          });
        }

        async function postError(route, error) {
          const response = errorResponse(error);
          const type = response.errorType === undefined ? 'Runtime.Unknown' : String(response.errorType);
          await call('POST', route, JSON.stringify(response), { 'Lambda-Runtime-Function-Error-Type': type });
        }

        function fatal(error) {
          process.stderr.write(`synapscribe-local node runtime: ${error && error.stack ? error.stack : error}\n`);
          process.exit(1);
        }

        // ---------------------------------------------------------------- offline guard

        function isLoopback(host) {
          const name = String(host).toLowerCase().replace(/^\[|\]$/g, '');
          if (name === 'localhost' || name.endsWith('.localhost') || name === '::1' || name === '::ffff:127.0.0.1') return true;
          return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
        }

        // Every TCP connection the handler opens (http, https, fetch, net, tls) goes through net.Socket#connect: a
        // target beyond loopback is refused there, and the guard listener is told so it logs the refusal.
        function installEgressGuard(guardPort) {
          const connect = net.Socket.prototype.connect;
          net.Socket.prototype.connect = function (...args) {
            let options = args[0];
            if (Array.isArray(options)) options = options[0];
            let host;
            let port;
            if (options !== null && typeof options === 'object') {
              if (options.path) return connect.apply(this, args);
              host = options.host ?? 'localhost';
              port = options.port;
            } else {
              port = options;
              host = typeof args[1] === 'string' ? args[1] : 'localhost';
            }
            if (isLoopback(host)) return connect.apply(this, args);
            const target = String(host).includes(':') && !String(host).startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
            const note = new net.Socket();
            note.on('error', () => {});
            connect.call(note, guardPort, '127.0.0.1');
            note.end(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
            note.unref();
            const error = new Error(`connect ECONNREFUSED ${target} (synapscribe-local offline guard: function `
              + `${env.AWS_LAMBDA_FUNCTION_NAME} may not reach ${target}; only loopback is reachable (start with --allow-egress to allow it))`);
            Object.assign(error, { code: 'ECONNREFUSED', errno: -111, syscall: 'connect', address: String(host), port });
            process.nextTick(() => this.destroy(error));
            return this;
          };
        }

        // ---------------------------------------------------------------- module path

        // ES modules ignore NODE_PATH; AWS's Node.js runtime still resolves layer packages and the bundled SDK for them.
        // A resolve hook retries a bare specifier the default resolution could not find from each NODE_PATH folder,
        // in order, so the function's own node_modules win, then layers, then the runtime cache.
        function installModulePathHook() {
          // The task root is found by the default resolution already; a hook (a loader thread) only when more is there.
          const folders = (env.NODE_PATH || '').split(path.delimiter)
            .filter((folder) => folder && path.resolve(folder) !== path.resolve(taskRoot) && fs.existsSync(folder));
          if (!folders.length || typeof moduleApi.register !== 'function') return;
          const parents = folders.map((folder) => pathToFileURL(path.join(folder, 'synapscribe-resolve.mjs')).href);
          const source = `const parents = ${JSON.stringify(parents)};
        export async function resolve(specifier, context, next) {
          try {
            return await next(specifier, context);
          } catch (error) {
            const bare = !/^(\\.|\\/|[a-zA-Z][a-zA-Z0-9+.-]*:)/.test(specifier);
            if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !bare) throw error;
            for (const parentURL of parents) {
              try { return await next(specifier, { ...context, parentURL }); } catch {}
            }
            throw error;
          }
        }`;
          moduleApi.register('data:text/javascript,' + encodeURIComponent(source));
        }

        // ---------------------------------------------------------------- loading the handler

        function packageType(folder) {
          for (let current = folder; ; current = path.dirname(current)) {
            if (current.endsWith(`${path.sep}node_modules`)) return 'commonjs';
            const manifest = path.join(current, 'package.json');
            if (fs.existsSync(manifest)) {
              try {
                return JSON.parse(fs.readFileSync(manifest, 'utf8')).type === 'module' ? 'module' : 'commonjs';
              } catch (error) {
                console.warn(`${manifest} cannot be read, it will be ignored for ES module detection purposes.`, error);
                return 'commonjs';
              }
            }
            if (current === path.dirname(current)) return 'commonjs';
          }
        }

        async function loadModule(moduleRoot, moduleName) {
          const base = path.resolve(taskRoot, moduleRoot, moduleName);
          const exists = (file) => fs.existsSync(file);
          if (exists(base) && fs.statSync(base).isFile()) return require(base);
          const isModule = packageType(path.dirname(base)) === 'module';
          if (!isModule && exists(`${base}.js`)) return require(`${base}.js`);
          if (isModule && exists(`${base}.js`)) return import(pathToFileURL(`${base}.js`).href);
          if (exists(`${base}.mjs`)) return import(pathToFileURL(`${base}.mjs`).href);
          if (exists(`${base}.cjs`)) return require(`${base}.cjs`);
          return require(require.resolve(moduleName, { paths: [taskRoot, path.join(taskRoot, moduleRoot)] }));
        }

        function missingSdkNote(error) {
          const match = /Cannot find (?:module|package) '((@aws-sdk\/[^'/]+|aws-sdk)(?:\/[^']*)?)'/.exec(String(error && error.message));
          if (!match) return '';
          const sdk = match[2] === 'aws-sdk'
            ? 'The AWS SDK for JavaScript v2 (aws-sdk) that AWS\'s nodejs16.x and older runtimes include'
            : `The AWS SDK for JavaScript v3 (${match[1]}) that AWS's Node.js runtime includes`;
          return `\n${sdk} is not installed in the emulator's runtime cache `
            + `(${sdkCache ? path.join(sdkCache, 'node_modules') : 'none'}) and no npm registry is used: vendor it in the `
            + 'function\'s node_modules or a layer (nodejs/node_modules), or install it once where a registry is '
            + `reachable: \`synapscribe-local build\` (or \`npm install --prefix ${sdkCache || '<runtime cache>'} ${match[2]}\`).`;
        }

        function missingDependencies() {
          const manifest = path.join(taskRoot, 'package.json');
          if (!fs.existsSync(manifest) || fs.existsSync(path.join(taskRoot, 'node_modules'))) return [];
          let dependencies = {};
          try {
            dependencies = JSON.parse(fs.readFileSync(manifest, 'utf8')).dependencies || {};
          } catch {
            return [];
          }
          const folders = (env.NODE_PATH || '').split(path.delimiter).filter(Boolean);
          return Object.keys(dependencies).filter((name) => !folders.some((folder) => fs.existsSync(path.join(folder, name))));
        }

        async function loadHandler() {
          if (handlerString.includes('..')) {
            throw new RuntimeError('MalformedHandlerName',
              `'${handlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
          }
          const missing = missingDependencies();
          if (missing.length) {
            throw new RuntimeError('ImportModuleError', `Error: Cannot find module '${missing[0]}': the function's package.json `
              + `lists dependencies (${missing.join(', ')}) but ${taskRoot} has no node_modules folder. Run \`npm install\` `
              + `(or \`sam build\`) in ${taskRoot} first.`);
          }
          const baseName = path.basename(handlerString);
          const moduleRoot = handlerString.substring(0, handlerString.indexOf(baseName));
          const match = /^([^.]*)\.(.*)$/.exec(baseName);
          if (!match) throw new RuntimeError('MalformedHandlerName', 'Bad handler');
          const [, moduleName, handlerPath] = match;
          let loaded;
          try {
            loaded = await loadModule(moduleRoot, moduleName);
          } catch (error) {
            if (error instanceof SyntaxError) throw new RuntimeError('UserCodeSyntaxError', String(error), error.stack);
            const note = missingSdkNote(error);
            if (error && error.code === 'MODULE_NOT_FOUND') throw new RuntimeError('ImportModuleError', String(error) + note);
            if (note && error instanceof Error) error.message += note;
            throw error;
          }
          const handler = handlerPath.split('.').reduce((object, key) => object && object[key], loaded);
          if (!handler) throw new RuntimeError('HandlerNotFound', `${handlerString} is undefined or not exported`);
          if (typeof handler !== 'function') throw new RuntimeError('HandlerNotFound', `${handlerString} is not a function`);
          if (runtimeMajor >= 24 && handler.length >= 3) {
            throw new RuntimeError('CallbackHandlerDeprecated', 'ERROR: AWS Lambda has removed support for callback-based function '
              + 'handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use '
              + 'Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.');
          }
          return handler;
        }

        // ---------------------------------------------------------------- invocations

        let onBeforeExit;
        let errorHandlers = {
          uncaughtException: (error) => postError('init/error', error).then(() => process.exit(129), fatal),
          unhandledRejection: (error) => postError('init/error', error).then(() => process.exit(128), fatal),
        };

        function parseJSON(text, name) {
          if (text === undefined) return undefined;
          try {
            return JSON.parse(text);
          } catch (error) {
            throw new Error(`Cannot parse ${name} as json: ${error.toString()}`);
          }
        }

        async function respond(requestId, result) {
          let body;
          try {
            body = JSON.stringify(result === undefined ? null : result);
          } catch {
            await postError(`invocation/${requestId}/error`, new RuntimeError('JSONStringifyError', 'Unable to stringify response body'));
            return;
          }
          await call('POST', `invocation/${requestId}/response`, body);
        }

        async function invokeOnce(handler) {
          const next = await call('GET', 'invocation/next');
          if (next.status !== 200) throw new Error(`GET /invocation/next answered ${next.status}`);
          const headers = next.headers;
          const requestId = headers['lambda-runtime-aws-request-id'];
          const deadline = Number(headers['lambda-runtime-deadline-ms']);
          currentRequestId = requestId;
          if (headers['lambda-runtime-trace-id']) env._X_AMZN_TRACE_ID = headers['lambda-runtime-trace-id'];
          else delete env._X_AMZN_TRACE_ID;

          let finished = false;
          let waitsForEmptyEventLoop = true;
          const scheduleNext = () => setImmediate(() => loop(handler));
          const complete = (error, result) => {
            if (finished) return;
            finished = true;
            onBeforeExit = undefined;
            const posting = error !== undefined && error !== null
              ? (console.error('Invoke Error', formatted(asError(error))), postError(`invocation/${requestId}/error`, error))
              : respond(requestId, result);
            posting.then(scheduleNext, fatal);
          };
          const callback = (error, result) => {
            if (finished) return;
            if ((error === undefined || error === null) && waitsForEmptyEventLoop) {
              onBeforeExit = () => setImmediate(() => complete(null, result));
            } else {
              complete(error, result);
            }
          };
          errorHandlers = {
            uncaughtException: (error) => postError(`invocation/${requestId}/error`, error).then(() => process.exit(129), fatal),
            unhandledRejection: (error) => postError(`invocation/${requestId}/error`, error).then(() => process.exit(128), fatal),
          };
          // A handler that neither returns a promise nor calls back ends when the event loop is empty, with null.
          onBeforeExit = () => complete(null, null);

          const context = {
            get callbackWaitsForEmptyEventLoop() { return waitsForEmptyEventLoop; },
            set callbackWaitsForEmptyEventLoop(value) { waitsForEmptyEventLoop = value; },
            succeed: (result) => complete(null, result),
            fail: (error) => complete(error === undefined || error === null ? 'handled' : error),
            done: (error, result) => complete(error, result),
            functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
            functionName: env.AWS_LAMBDA_FUNCTION_NAME,
            memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
            logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
            logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
            invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
            awsRequestId: requestId,
            getRemainingTimeInMillis: () => deadline - Date.now(),
          };
          try {
            context.clientContext = parseJSON(headers['lambda-runtime-client-context'], 'ClientContext');
            context.identity = parseJSON(headers['lambda-runtime-cognito-identity'], 'CognitoIdentity');
            const event = JSON.parse(next.body.toString('utf8'));
            const result = handler(event, context, callback);
            if (result && typeof result.then === 'function') {
              result.then((value) => complete(null, value), (error) => complete(error === undefined || error === null ? 'handled' : error));
            }
          } catch (error) {
            complete(error);
          }
        }

        function loop(handler) {
          invokeOnce(handler).catch(fatal);
        }

        // ---------------------------------------------------------------- start

        async function main() {
          patchConsole();
          const guardPort = Number(env.SYNAPSCRIBE_EGRESS_GUARD_PORT);
          delete env.SYNAPSCRIBE_EGRESS_GUARD_PORT;
          if (guardPort) installEgressGuard(guardPort);
          installModulePathHook();
          process.on('uncaughtException', (error) => {
            console.error('Uncaught Exception', formatted(asError(error)));
            errorHandlers.uncaughtException(error);
          });
          process.on('unhandledRejection', (reason) => {
            const error = new RuntimeError('UnhandledPromiseRejection', String(reason));
            error.reason = reason;
            console.error('Unhandled Promise Rejection', formatted(error));
            errorHandlers.unhandledRejection(error);
          });
          process.on('beforeExit', () => {
            const pending = onBeforeExit;
            onBeforeExit = undefined;
            if (pending) pending();
          });
          const interpreterMajor = Number(process.versions.node.split('.')[0]);
          if (runtimeMajor && runtimeMajor !== interpreterMajor) {
            process.stderr.write(`synapscribe-local: function ${env.AWS_LAMBDA_FUNCTION_NAME} declares ${functionRuntime} `
              + `but runs on Node.js ${process.versions.node}\n`);
          }
          let handler;
          try {
            handler = await loadHandler();
          } catch (error) {
            console.error('Uncaught Exception', formatted(error));
            await postError('init/error', error).catch(fatal);
            process.exit(129);
          }
          loop(handler);
        }

        main().catch(fatal);
        """#
}
