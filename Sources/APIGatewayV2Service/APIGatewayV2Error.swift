import EmulatorCore

/// The errors of the API Gateway v2 control plane, with AWS's codes and statuses (REST-JSON: `{"message": ...}`
/// and the `x-amzn-ErrorType` header).
package enum APIGatewayV2Error: AWSServiceError, Equatable {
    /// 400 `BadRequestException`.
    case badRequest(String)
    /// 404 `NotFoundException`.
    case notFound(String)
    /// 409 `ConflictException`.
    case conflict(String)
    /// 400 `ValidationException` (a value outside a member's enumeration, as AWS's front end checks it).
    case validation(String)
    /// 403 `AccessDeniedException` from IAM.
    case accessDenied(String)
    /// 404 `NotFoundException` for a path this API does not have (`UnknownOperationException` on AWS's front end).
    case unknownOperation

    /// The AWS error code.
    package var code: String {
        switch self {
        case .badRequest: "BadRequestException"
        case .notFound: "NotFoundException"
        case .conflict: "ConflictException"
        case .validation: "ValidationException"
        case .accessDenied: "AccessDeniedException"
        case .unknownOperation: "UnknownOperationException"
        }
    }

    /// The message text.
    package var message: String {
        switch self {
        case .badRequest(let text), .notFound(let text), .conflict(let text), .validation(let text), .accessDenied(let text): text
        case .unknownOperation: "The requested operation is not recognized by the service."
        }
    }

    /// The HTTP status.
    package var httpStatus: Int {
        switch self {
        case .badRequest, .validation: 400
        case .notFound, .unknownOperation: 404
        case .conflict: 409
        case .accessDenied: 403
        }
    }

    /// `NotFoundException` for an unknown API: `Invalid API identifier specified {account}:{apiId}`.
    /// - Parameters:
    ///   - account: The account id.
    ///   - apiId: The API id asked for.
    /// - Returns: The error.
    package static func apiNotFound(account: String, apiId: String) -> APIGatewayV2Error {
        .notFound("Invalid API identifier specified \(account):\(apiId)")
    }

    // MARK: AWS's texts, in one place

    /// `NotFoundException` for an unknown child resource: `Invalid {Kind} identifier specified {id}`.
    /// - Parameters:
    ///   - word: The kind's word (`Route`, `Integration`, `stage`...).
    ///   - id: The id asked for.
    /// - Returns: The error.
    package static func childNotFound(_ word: String, id: String) -> APIGatewayV2Error {
        .notFound("Invalid \(word) identifier specified \(id)")
    }

    /// `BadRequestException` for a protocol other than HTTP and WEBSOCKET.
    package static let invalidProtocol = APIGatewayV2Error.badRequest("Invalid protocol specified. Must be one of [HTTP, WEBSOCKET]")

    /// `BadRequestException` for `CUSTOM` (or `JWT`) authorization without an existing authorizer.
    package static let invalidAuthorizerId = APIGatewayV2Error.badRequest(
        "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer."
    )

    /// `BadRequestException` for authorization on a WebSocket route other than `$connect`.
    package static let authorizationOnlyOnConnect = APIGatewayV2Error.badRequest("Currently, authorization is restricted to the $connect route only")

    /// `ConflictException` for a second route with a route key.
    /// - Parameter routeKey: The route key.
    /// - Returns: The error.
    package static func routeKeyExists(_ routeKey: String) -> APIGatewayV2Error {
        .conflict("Route with key \(routeKey) already exists for this API")
    }

    /// `ConflictException` for a second stage with a name.
    package static let stageExists = APIGatewayV2Error.conflict("Stage already exists")

    /// `BadRequestException` for a route key the protocol does not take.
    /// - Parameter routeKey: The route key.
    /// - Returns: The error.
    package static func invalidRouteKey(_ routeKey: String) -> APIGatewayV2Error {
        .badRequest("Invalid route key specified: \(routeKey)")
    }

    /// `BadRequestException` for deploying an API without routes.
    package static let deploymentNeedsRoutes = APIGatewayV2Error.badRequest("At least one route is required before deploying the Api.")

    /// `BadRequestException` for an `ImportApi`/`ReimportApi` body (or a template's `Body`) that is not an OpenAPI
    /// 3.0 definition the importer can read.
    /// - Parameter detail: What is wrong.
    /// - Returns: The error.
    package static func invalidDefinition(_ detail: String) -> APIGatewayV2Error {
        .badRequest("Invalid OpenAPI definition: \(detail)")
    }

    /// `BadRequestException` for an import with `failOnWarnings` that has warnings (moto's rendering of API
    /// Gateway's text).
    /// - Parameter warnings: The warnings.
    /// - Returns: The error.
    package static func importWarnings(_ warnings: [String]) -> APIGatewayV2Error {
        .badRequest("Warnings found during import:\n\t" + warnings.joined(separator: "\n\t"))
    }

    /// `BadRequestException` for quick create, which is not emulated.
    package static let quickCreateNotSupported = APIGatewayV2Error.badRequest(
        "Quick create (target, routeKey, credentialsArn) is supported by synapscribe-local only in CreateApi of HTTP APIs"
    )
}
