import Foundation
import Logging

extension LambdaInvoking {
    /// Invokes a function synchronously and gives up after `timeout`, as API Gateway's integration timeout does; an
    /// invocation error is reported as an `Unhandled` function error (a refusal by the function's resource-based
    /// policy with Invoke's status 403, ``LambdaInvocationResult/isAccessDenied``).
    /// - Parameters:
    ///   - function: The function name or ARN.
    ///   - payload: The event JSON.
    ///   - context: Who invokes (its `maximumDuration` a little past `timeout`, so this timeout decides).
    ///   - timeout: How long to wait.
    ///   - logger: Where invocation errors are logged.
    /// - Returns: The result, or nil when the function did not answer in time.
    package func invoke(
        function: String,
        payload: Data,
        context: LambdaInvocationContext,
        timeout: Duration,
        logger: Logger
    ) async -> LambdaInvocationResult? {
        await withTaskGroup(of: LambdaInvocationResult?.self) { group in
            group.addTask {
                do {
                    return try await self.invoke(function: function, payload: payload, invocationType: .requestResponse, context: context)
                } catch LambdaInvocationError.accessDenied(let message) {
                    logger.warning(
                        "Integration invocation refused by the function's resource-based policy",
                        metadata: ["function": .string(function), "error": .string(message)]
                    )
                    return LambdaInvocationResult(statusCode: 403, payload: Data(), functionError: "Unhandled")
                } catch {
                    logger.warning(
                        "Integration invocation failed",
                        metadata: ["function": .string(function), "error": .string(String(describing: error))]
                    )
                    return LambdaInvocationResult(statusCode: 500, payload: Data(), functionError: "Unhandled")
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}
