import EmulatorCore
import Foundation
import Logging

/// Invokes functions for the API (Invoke) and for other services in-process (S3 notifications, API Gateway
/// integrations): synchronous invocations run on the function's ``FunctionRuntime``; asynchronous ones are
/// admitted to the function's event queue and handed to the ``LambdaSupervisor``.
package struct LambdaInvoker: LambdaInvoking {
    private let catalog: FunctionCatalog
    private let eventQueues: EventQueues
    private let supervisor: LambdaSupervisor
    private let logger: Logger

    /// Creates the invoker.
    /// - Parameters:
    ///   - catalog: The functions and their runtimes.
    ///   - eventQueues: The asynchronous invocations each function holds.
    ///   - supervisor: Where asynchronous invocations run.
    ///   - logger: The service logger.
    init(
        catalog: FunctionCatalog,
        eventQueues: EventQueues,
        supervisor: LambdaSupervisor,
        logger: Logger
    ) {
        self.catalog = catalog
        self.eventQueues = eventQueues
        self.supervisor = supervisor
        self.logger = logger
    }

    /// Invokes a function in-process (S3 notifications, API Gateway integrations).
    /// - Parameters:
    ///   - function: A name, physical name or ARN.
    ///   - payload: The event JSON.
    ///   - invocationType: RequestResponse, Event or DryRun.
    ///   - context: Who invokes.
    /// - Returns: The result.
    /// - Throws: ``LambdaInvocationError``.
    package func invoke(
        function: String,
        payload: Data,
        invocationType: LambdaInvocationType,
        context: LambdaInvocationContext
    ) async throws -> LambdaInvocationResult {
        let located: LambdaFunction
        do {
            located = try catalog.locate(function, qualifier: nil).function
        } catch {
            throw LambdaInvocationError.functionNotFound(function)
        }
        if let principal = context.sourcePrincipal,
            !isInvokeAllowed(function: function, principal: principal, sourceArn: context.sourceArn, sourceAccount: located.accountId)
        {
            // The refused ARN is the one invoked: qualified for a version or an alias.
            let qualifier = catalog.resolve(function)?.qualifier
            throw LambdaInvocationError.accessDenied(
                ResourcePolicy.accessDeniedMessage(
                    principal: principal,
                    sourceArn: context.sourceArn,
                    functionArn: qualifier.map { "\(located.arn):\($0)" } ?? located.arn
                )
            )
        }
        do {
            return try await invoke(
                located,
                payload: payload,
                invocationType: invocationType,
                context: context,
                requestId: RequestID.uuid()
            )
        } catch .tooManyRequests {
            throw LambdaInvocationError.tooManyRequests(located.name)
        } catch {
            throw LambdaInvocationError.serviceFailure(error.message)
        }
    }

    /// Whether the function's resource-based policy lets a service invoke it: the one check every in-process
    /// invocation by a service (``LambdaInvocationContext/sourcePrincipal``) passes, and what S3 asks before it
    /// accepts a notification configuration.
    /// - Parameters:
    ///   - function: A name, physical name or ARN; with a version or alias qualifier (`NAME:live`) that version's or
    ///     alias's own policy decides, as in AWS (the function's policy covers the unqualified ARN only).
    ///   - principal: The service principal.
    ///   - sourceArn: `AWS:SourceArn`.
    ///   - sourceAccount: `AWS:SourceAccount`.
    /// - Returns: Whether the policy allows `lambda:InvokeFunction`; false when the function does not exist.
    package func isInvokeAllowed(function: String, principal: String, sourceArn: String?, sourceAccount: String?) -> Bool {
        guard let located = catalog.resolve(function) else { return false }
        let found = located.function
        if let qualifier = located.qualifier, qualifier != "$LATEST" {
            guard let policy = catalog.qualifiedPolicy(found.name, qualifier: qualifier) else { return false }
            return ResourcePolicy.allowsInvoke(
                policy.statements,
                functionArn: "\(found.arn):\(qualifier)",
                principal: principal,
                sourceArn: sourceArn,
                sourceAccount: sourceAccount
            )
        }
        return ResourcePolicy.allowsInvoke(
            found.policyStatements,
            functionArn: found.arn,
            principal: principal,
            sourceArn: sourceArn,
            sourceAccount: sourceAccount
        )
    }

    /// Invokes a located function.
    /// - Parameters:
    ///   - function: The function.
    ///   - payload: The event JSON (already validated by the API).
    ///   - invocationType: RequestResponse, Event or DryRun.
    ///   - context: Who invokes.
    ///   - requestId: The invocation's request id.
    /// - Returns: 200 with the result, 202 for an accepted event, 204 for a dry run.
    /// - Throws: ``LambdaError``: `TooManyRequestsException` when the event queue is full or no slot is free.
    func invoke(
        _ function: LambdaFunction,
        payload: Data,
        invocationType: LambdaInvocationType,
        context: LambdaInvocationContext,
        requestId: String
    ) async throws(LambdaError) -> LambdaInvocationResult {
        guard let runtime = catalog.runtime(for: function) else { throw .resourceNotFound(arn: function.arn) }
        switch invocationType {
        case .dryRun:
            return LambdaInvocationResult(statusCode: 204, payload: Data())
        case .event:
            guard eventQueues.admit(function.name) else {
                logger.warning("\(function.name): asynchronous event queue full (\(eventQueues.capacity) events); invocation refused")
                throw .tooManyRequests(
                    reason: function.spec.reservedConcurrency == nil ? .functionInvocationRate : .reservedFunctionInvocationRate
                )
            }
            supervisor.enqueueEvent(runtime, payload: payload, context: context, requestId: requestId)
            return LambdaInvocationResult(statusCode: 202, payload: Data())
        case .requestResponse:
            let result = try await runtime.invoke(payload: payload, context: context, requestId: requestId)
            return LambdaInvocationResult(
                statusCode: 200,
                payload: result.payload,
                functionError: result.functionError,
                logResult: result.logTail,
                executedVersion: function.version
            )
        }
    }
}
