import EmulatorCore
import Foundation

/// An error DynamoDB returns to the client: an AWS error code plus the exact message text.
package struct DynamoDBError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The AWS error codes this emulator produces for DynamoDB.
    package enum Code: String, Sendable, Hashable, CaseIterable {
        /// Request parameters or expressions are invalid.
        case validationException = "ValidationException"
        /// A ConditionExpression evaluated to false.
        case conditionalCheckFailedException = "ConditionalCheckFailedException"
        /// The table or index does not exist.
        case resourceNotFoundException = "ResourceNotFoundException"
        /// The table already exists or is being modified.
        case resourceInUseException = "ResourceInUseException"
        /// A TransactWriteItems/TransactGetItems request was cancelled.
        case transactionCanceledException = "TransactionCanceledException"
        /// An item collection of a table with a local secondary index grew beyond 10 GB.
        case itemCollectionSizeLimitExceededException = "ItemCollectionSizeLimitExceededException"
        /// The JSON body could not be deserialised into the operation's input shape.
        case serializationException = "SerializationException"
        /// Another transaction with the same client token is in progress.
        case transactionConflictException = "TransactionConflictException"
        /// The client token was reused with a different request.
        case idempotentParameterMismatchException = "IdempotentParameterMismatchException"
        /// Too many operations were issued for the account limits.
        case limitExceededException = "LimitExceededException"
        /// The operation name is not a DynamoDB operation.
        case unknownOperationException = "UnknownOperationException"
        /// An unexpected server error.
        case internalServerError = "InternalServerError"
        /// The caller may not perform the action.
        case accessDeniedException = "AccessDeniedException"
        /// A DynamoDB Streams shard iterator older than 15 minutes.
        case expiredIteratorException = "ExpiredIteratorException"
        /// DynamoDB Streams records trimmed by the 24-hour retention.
        case trimmedDataAccessException = "TrimmedDataAccessException"
        /// A PartiQL INSERT named a primary key that exists.
        case duplicateItemException = "DuplicateItemException"

        /// The namespace AWS puts in front of the code in the `__type` member.
        package var typeNamespace: String {
            switch self {
            case .validationException: "com.amazon.coral.validate"
            case .serializationException: "com.amazon.coral.service"
            case .unknownOperationException: "com.amazon.coral.service"
            case .accessDeniedException: "com.amazon.coral.service"
            case .internalServerError: "com.amazonaws.dynamodb.v20120810"
            default: "com.amazonaws.dynamodb.v20120810"
            }
        }

        /// The HTTP status AWS answers with for this code.
        package var httpStatus: Int {
            switch self {
            case .internalServerError: 500
            default: 400
            }
        }
    }

    /// The AWS error code.
    package let code: Code
    /// The message AWS sends in the `message` member.
    package let message: String

    /// Creates an error with an explicit code and message.
    /// - Parameters:
    ///   - code: The AWS error code.
    ///   - message: The exact message text.
    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A `ValidationException` with the given message.
    /// - Parameter message: The exact message text.
    /// - Returns: The error.
    package static func validation(_ message: String) -> DynamoDBError {
        DynamoDBError(.validationException, message)
    }

    /// A `SerializationException` with the given message.
    /// - Parameter message: The exact message text.
    /// - Returns: The error.
    package static func serialization(_ message: String) -> DynamoDBError {
        DynamoDBError(.serializationException, message)
    }

    /// The standard `ConditionalCheckFailedException` ("The conditional request failed").
    package static var conditionalCheckFailed: DynamoDBError {
        DynamoDBError(.conditionalCheckFailedException, DynamoDBMessages.conditionalRequestFailed)
    }

    /// The HTTP status code of the response (400 for every client error).
    package var httpStatus: Int { code.httpStatus }

    /// The `__type` string AWS sends, e.g. `com.amazonaws.dynamodb.v20120810#ResourceNotFoundException`.
    package var awsType: String { "\(code.typeNamespace)#\(code.rawValue)" }

    /// The JSON body AWS sends for this error (`{"__type": ..., "message": ...}`).
    package var jsonBody: Data {
        let object: [String: String] = ["__type": awsType, "message": message]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }

    /// A human readable `Code: message` form.
    package var description: String { "\(code.rawValue): \(message)" }

    /// Maps a `DecodingError` raised while decoding a request body to the `SerializationException` AWS would send.
    /// - Parameter error: Any error thrown by `JSONDecoder`.
    /// - Returns: The error itself when it already is a `DynamoDBError`, otherwise a `SerializationException`.
    package static func fromDecoding(_ error: any Error) -> DynamoDBError {
        if let own = error as? DynamoDBError { return own }
        if let decoding = error as? DecodingError {
            switch decoding {
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
                .dataCorrupted(let context):
                if let underlying = context.underlyingError as? DynamoDBError { return underlying }
                return .serialization(context.debugDescription)
            @unknown default:
                return .serialization("Unexpected JSON")
            }
        }
        return .serialization("Unexpected JSON")
    }
}

/// A DynamoDB error as the gateway renders it: the code and message, plus the extra JSON members some errors carry
/// (`Item` on a failed condition with `ReturnValuesOnConditionCheckFailure`, `CancellationReasons` on a cancelled
/// transaction). The gateway's ``AWSServiceError`` mapper writes `__type`, `message`, then the members, and the
/// `x-amz-crc32` of the body.
struct DynamoDBFailure: AWSServiceError {
    /// The code and message.
    var error: DynamoDBError
    /// Extra members of the error body.
    var members: [(String, JSONOut)]

    /// The AWS error code.
    var code: String { error.code.rawValue }
    /// The message.
    var message: String { error.message }
    /// 400, or 500 for `InternalServerError`.
    var httpStatus: Int { error.httpStatus }
    /// The namespaced `__type`.
    var jsonType: String? { error.awsType }
    /// With the old `Item` of a failed condition AWS spells the message member `Message` (and sends no `message`).
    var extraFields: [(String, String)] { members.contains { $0.0 == "Item" } ? [("Message", error.message)] : [] }
    /// The extra members, serialised.
    var jsonMembers: [(String, JSONFragment)] { members.map { ($0.0, JSONFragment(bytes: Array($0.1.data))) } }
}
